"""The roles people hold in a community, kept as Django groups.

A role is a group with a fixed machine name (the group's name is the role's Chinese title,
so staff see it in Wagtail's group admin as they say it). ``setup_roles`` creates the
groups and gives them their model permissions; it is idempotent.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    name: str  # the group's name: the role as staff call it
    label: object  # translatable title
    staff: bool  # may enter the Wagtail admin
    grid_restricted: bool  # sees only the grids it is assigned to
    permissions: tuple[str, ...] = field(default=())  # "app_label.codename"


def _crud(*models: str, actions=("view", "add", "change", "delete")) -> tuple[str, ...]:
    return tuple(f"community.{action}_{model}" for model in models for action in actions)


def _services(*codenames: str) -> tuple[str, ...]:
    return tuple(f"services.{codename}" for codename in codenames)


def _campaigns(*codenames: str) -> tuple[str, ...]:
    return tuple(f"campaigns.{codename}" for codename in codenames)


_COMMUNITY_MODELS = (
    "community",
    "grid",
    "gridteammember",
    "building",
    "household",
    "resident",
    "visit",
    "specialgroup",
)

# Model permissions say what a role may do to a kind of record; which records is decided
# by the grids the person's team seats grant (anju.permissions.scope).
COMMITTEE = Role(
    "committee",
    "两委人员",
    _("Committee member"),
    True,
    False,
    permissions=_crud(*_COMMUNITY_MODELS)
    + ("community.view_full_id_number", "anju_core.view_auditentry")
    # Login lockouts (admin: Settings → Login lockouts): seeing them and unlocking.
    + ("axes.view_accessattempt", "axes.delete_accessattempt")
    # The outbox (admin: Settings → Messages): what was sent to whom, and what failed.
    + ("notify.view_message",)
    # Partner organisations (the gas company, the fire brigade) and their staff.
    + (
        "anju_permissions.view_partnerorganisation",
        "anju_permissions.add_partnerorganisation",
        "anju_permissions.change_partnerorganisation",
    )
    # Committee members decide which services (plugins) their community offers.
    + ("anju_plugins.view_pluginactivation", "anju_plugins.change_pluginactivation")
    + (
        "notices.view_noticedelivery",
        "notices.add_noticedelivery",
        "notices.delete_noticedelivery",
    )
    # Cases: the whole community's, reassigning them, building service forms, exports.
    + _services(
        "view_case",
        "change_case",
        "assign_case",
        "export_case",
        "file_on_behalf",
        "view_service",
        "add_service",
        "change_service",
        "delete_service",
    )
    # Campaigns: building them, running rounds, reassigning targets, exports.
    + _campaigns(
        "view_campaign",
        "add_campaign",
        "change_campaign",
        "delete_campaign",
        "run_campaign",
        "export_campaign",
        "view_target",
        "reassign_target",
        "view_targetanswer",
        "add_targetanswer",
    ),
)
GRID_WORKER = Role(
    "grid_worker",
    "网格员",
    _("Grid worker"),
    True,
    True,
    # "community": the community they work in (the API lists it, scoped to their grids).
    permissions=_crud(
        "community", "grid", "building", "gridteammember", "specialgroup", actions=("view",)
    )
    + _crud("household", "resident", "visit", actions=("view", "add", "change"))
    # Grid workers file applications on residents' behalf (代办): they may see a whole
    # ID number of their own grid's residents, and every look is audited.
    + ("community.view_full_id_number",)
    # They carry notices to every household (入户传达) and record each reach.
    + ("notices.view_noticedelivery", "notices.add_noticedelivery")
    # Cases of their grid: they handle them, file on residents' behalf, export them.
    + _services("view_case", "change_case", "export_case", "file_on_behalf", "view_service")
    # Campaigns: they answer their grids' targets door to door.
    + _campaigns(
        "view_campaign", "view_target", "view_targetanswer", "add_targetanswer", "export_campaign"
    ),
)
RESIDENT_REP = Role(
    "resident_rep",
    "居民代表",
    _("Resident representative"),
    True,
    True,
    permissions=_crud(
        "community",
        "grid",
        "building",
        "gridteammember",
        "household",
        "resident",
        "visit",
        "specialgroup",
        actions=("view",),
    )
    # They help carry notices to households and see which have been reached.
    + ("notices.view_noticedelivery",)
    # They may read their grid's cases, not act on them.
    + _services("view_case")
    # They read their grid's campaign progress, not answer.
    + _campaigns("view_campaign", "view_target", "view_targetanswer"),
)
SERVICE_STAFF = Role(
    "service_staff",
    "服务人员",
    _("Service staff"),
    True,
    False,
    # They handle the cases of services run by service staff (not grid-bound).
    permissions=_services(
        "view_case", "change_case", "handle_service_staff_cases", "export_case", "view_service"
    )
    # Campaigns they run (and only those: anju.campaigns.visibility).
    + _campaigns(
        "view_campaign", "view_target", "view_targetanswer", "add_targetanswer", "export_campaign"
    ),
)
# Staff of an outside organisation (the gas company, the fire brigade, a township desk):
# grid-restricted with no grid, so they see only what was handed over to their
# organisation (anju.permissions.partners) and may work on those cases.
PARTNER_STAFF = Role(
    "partner_staff",
    "合作单位人员",
    _("Partner organisation staff"),
    True,
    True,
    permissions=_services("view_case", "change_case"),
)
# Above the community (anju.permissions.jurisdiction): they read what the communities of
# their jurisdiction hold — the register, visits, cases, campaigns, notices' reach — and
# export cases; the communities' own staff do the work. Grid-restricted: every staff
# route they open must be scoped (a whole-community view that is not is refused them).
_JURISDICTION_READS = (
    _crud(
        "community",
        "grid",
        "building",
        "gridteammember",
        "household",
        "resident",
        "visit",
        "specialgroup",
        actions=("view",),
    )
    + ("notices.view_noticedelivery",)
    + _services("view_case", "export_case", "view_service")
    + _campaigns("view_campaign", "view_target", "view_targetanswer", "export_campaign")
)
COUNTY_STAFF = Role(
    "county_staff",
    "县级人员",
    _("County staff"),
    True,
    True,
    permissions=_JURISDICTION_READS + ("community.view_county",),
)
# Seeing a township's communities needs the role *and* a place on the township's staff
# list (Township.staff).
TOWNSHIP_STAFF = Role(
    "township_staff",
    "乡镇人员",
    _("Township staff"),
    True,
    True,
    permissions=_JURISDICTION_READS + ("community.view_jurisdiction",),
)
# The township's desk of the one-stop service station (便民服务站): the role *and* a place
# on the township's desk list (Township.desk_staff). Like partner staff they hold no
# grid: they see and work on the cases routed to their desk, and nothing else.
TOWNSHIP_DESK = Role(
    "township_desk",
    "便民服务站人员",
    _("Township service desk staff"),
    True,
    True,
    permissions=_services("view_case", "change_case", "export_case", "view_service")
    + ("community.work_at_desk",),
)
RESIDENT = Role("resident", "居民", _("Resident"), False, False)

ROLES: tuple[Role, ...] = (
    COMMITTEE,
    GRID_WORKER,
    RESIDENT_REP,
    SERVICE_STAFF,
    PARTNER_STAFF,
    COUNTY_STAFF,
    TOWNSHIP_STAFF,
    TOWNSHIP_DESK,
    RESIDENT,
)
ADMIN_ACCESS = "wagtailadmin.access_admin"


def role_permissions(role: Role) -> list[str]:
    perms = list(role.permissions)
    if role.staff:
        perms.append(ADMIN_ACCESS)
    return perms


@transaction.atomic
def setup_roles(extra: dict[str, tuple[str, ...]] | None = None) -> dict[str, Group]:
    """Create or update the role groups. Returns {role code: group}.

    ``extra`` adds permissions per role code: the plugins' default grants, gathered by
    the plugin layer (``manage.py setup_roles``) — this layer never imports plugins.
    """
    extra = extra or {}
    groups = {}
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.name)
        wanted = role_permissions(role) + list(extra.get(role.code, ()))
        perms = [_permission(dotted) for dotted in wanted]
        group.permissions.add(*perms)
        groups[role.code] = group
    return groups


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    if dotted == ADMIN_ACCESS:
        # Wagtail creates this one in a data migration, not from a model, so a flushed
        # database (transactional tests) lacks it: make it as that migration does.
        from django.contrib.contenttypes.models import ContentType

        content_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
        return Permission.objects.get_or_create(
            content_type=content_type,
            codename=codename,
            defaults={"name": "Can access Wagtail admin"},
        )[0]
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def group_for(role: Role) -> Group:
    return Group.objects.get(name=role.name)
