"""What every staff view of the services engine shares: the permissions its pages
need, who works with which services, who may be assigned cases, and the base of every
case view."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponseForbidden
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anju.community.models import Community, GridTeamMember, TeamRole
from anju.permissions.scope import scope_queryset, visible_grids
from anju.permissions.urlscope import Scope

from ..models import (
    OPEN_STATUSES,
    HandlerRole,
    Service,
)

VIEW_CASE = "services.view_case"
ASSIGN_CASE = "services.assign_case"
EXPORT_CASE = "services.export_case"
FILE_ON_BEHALF = "services.file_on_behalf"
VIEW_SERVICE = "services.view_service"
PAGE_SIZE = 50
SLA_LABELS = {
    "overdue": gettext_lazy("Overdue"),
    "due_soon": gettext_lazy("Due soon"),
    "ok": gettext_lazy("On time"),
    "done": gettext_lazy("Done"),
}


def forbidden(message=None) -> HttpResponseForbidden:
    """A plain 403. Wagtail would turn a PermissionDenied into a redirect to the
    dashboard; a refused action should say so, and tests can tell it from a success."""
    return HttpResponseForbidden(str(message or _("You may not do this.")))


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person(obj)


# --- which services a user works with -------------------------------------------------


def services_for(user):
    """Services offered in a community the user works in, and those offered everywhere
    (no community). Service staff also see the services their role handles."""
    queryset = Service.objects.all()
    if user.is_superuser:
        return queryset
    communities = scope_queryset(Community.objects.all(), user).values("pk")
    q = Q(community__isnull=True) | Q(community__in=communities)
    if user.has_perm("services.handle_service_staff_cases"):
        q |= Q(handler_role=HandlerRole.SERVICE_STAFF)
    return queryset.filter(q)


def assignee_choices(user):
    """Who the bulk-assign menu offers: the grid teams (not resident representatives)
    of the user's grids, service staff, and the township desk staff (the role *and* a
    place on the desk's list) of the desks the user's cases are routed to — their
    communities' townships' and, for a resident registered (户籍) elsewhere, that
    township's. ``workflow.assign`` still checks each case, so a person who cannot hold
    one of the chosen cases is reported, not assigned."""
    from anju.permissions.roles import SERVICE_STAFF, TOWNSHIP_DESK

    from ..visibility import visible_cases

    seats = GridTeamMember.objects.filter(grid__in=visible_grids(user).values("pk")).exclude(
        role=TeamRole.RESIDENT_REP
    )
    communities = scope_queryset(Community.objects.all(), user)
    desks = Q(township_desks__in=communities.filter(township__isnull=False).values("township"))
    desks |= Q(
        township_desks__in=visible_cases(user)
        .filter(township__isnull=False, status__in=OPEN_STATUSES)
        .values("township")
    )
    desk_staff = (
        get_user_model().objects.filter(desks, groups__name=TOWNSHIP_DESK.name).values("pk")
    )
    return (
        get_user_model()
        .objects.filter(
            Q(pk__in=seats.values("user_id"))
            | Q(groups__name=SERVICE_STAFF.name)
            | Q(pk__in=desk_staff)
        )
        .filter(is_active=True)
        .distinct()
        .order_by("username")
    )


class CaseAdminMixin:
    """Every case view: grid-scoped, and only for people who may see cases at all."""

    grid_scope = Scope.GRID
    permission = VIEW_CASE
    header_icon = "tasks"
    #: The inbox is the "Cases" crumb itself; every other page links back to it.
    is_inbox = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            return forbidden(_("You may not see cases."))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if not self.is_inbox:
            items.append({"url": reverse("anju_cases"), "label": _("Cases")})
        return items + [{"url": "", "label": self.get_page_title()}]


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
