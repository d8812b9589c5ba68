from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from anju.plugins import PluginConfig


def _crud(*models, actions=("view", "add", "change", "delete")):
    return tuple(f"classroom.{action}_{model}" for model in models for action in actions)


CHILDREN = ("enrolment", "guardian", "attendance", "pickupflag", "calltask")
OWN = ("term", "classgroup", "volunteer", "volunteershift", "classnotice")


#: What county and township staff read (the grids of their jurisdiction only).
_JURISDICTION_READS = _crud("term", "classgroup", "enrolment", "attendance", actions=("view",))


class ClassroomConfig(PluginConfig):
    """The seven-colour classroom (七彩课堂): after-school care for children whose parents
    work away. Terms and classes, enrolment with a waiting list, guardians and the
    pick-up list, attendance at the door with SMS to the guardians, calls for absent
    children, the volunteers' roster, class notices and figures."""

    name = "plugins.classroom"
    label = "classroom"
    verbose_name = _("Seven-colour classroom")
    title = _("Seven-colour classroom")
    description = _(
        "After-school care for children whose parents work away: classes, enrolment, "
        "attendance with an SMS to the family, volunteers."
    )
    icon = "group"
    platform_requires = ">=0.1,<1"
    slug = "classroom"
    # The portal pages show these: kept rendered until one changes.
    portal_models = (
        "classroom.Term",
        "classroom.ClassGroup",
        "classroom.Volunteer",
        "classroom.Enrolment",
    )
    default_settings = {
        # Ages the classroom takes (from the register's birth date).
        "min_age": 3,
        "max_age": 14,
        # The portal's attendance look-up: tries per client address.
        "lookup_rate": "20/h",
    }
    required_settings = ()
    # Children's records: the classroom staff (all children), the committee (its
    # community) and grid workers (their grids). Resident representatives: none.
    role_permissions = {
        "service_staff": ("classroom.classroom_wide", "classroom.door")
        + _crud(*CHILDREN)
        + _crud(*OWN),
        "committee": ("classroom.door",) + _crud(*CHILDREN) + _crud(*OWN),
        "grid_worker": _crud("enrolment", "guardian", actions=("view", "add", "change"))
        + _crud("attendance", "pickupflag", "calltask", actions=("view",))
        + _crud("term", "classgroup", actions=("view",)),
        # County and township staff read what the grids of their jurisdiction hold,
        # scoped like a representative's (anju.permissions.jurisdiction widens their
        # grids); no "wide" permission, which would skip the grid scope. Township desk
        # staff get nothing here: they see only the cases routed to their desk.
        # Not the guardians (names and phones), pick-up flags or call tasks: the
        # children's care is the community's.
        "county_staff": _JURISDICTION_READS,
        "township_staff": _JURISDICTION_READS,
    }
    beat_schedule = {
        "classroom-flag-absences": {
            "task": "classroom.flag_absences",
            "schedule": crontab(minute="*/10"),
        }
    }
