"""The dashboard panel of a township desk's staff (便民服务站): per desk they staff, the
open cases routed to it, those still waiting for someone to take them on, and those
overdue — one query, linking to the case inbox. Desk staff hold no grid, so the
register's "My grids" panel is not theirs (anju.register.admin.my_grids)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from anju.community.models import Township
from anju.permissions.jurisdiction import WORK_AT_DESK

from ..models import OPEN_STATUSES, Status


def desk_summaries(user, now=None):
    """The desks ``user`` staffs (the role *and* the desk's list), with ``open_count``,
    ``waiting_count`` (open and nobody holds it) and ``overdue_count``. One query."""
    if not user.is_authenticated or not user.has_perm(WORK_AT_DESK):
        return []
    now = now or timezone.now()
    open_case = Q(desk_cases__status__in=OPEN_STATUSES)
    overdue = Q(desk_cases__status=Status.SUBMITTED, desk_cases__accept_due__lt=now) | Q(
        open_case, desk_cases__resolve_due__lt=now
    )
    return list(
        Township.objects.filter(desk_staff=user)
        .annotate(
            open_count=Count("desk_cases", filter=open_case),
            waiting_count=Count("desk_cases", filter=open_case & Q(desk_cases__assignee=None)),
            overdue_count=Count("desk_cases", filter=overdue),
        )
        .order_by("name")
    )


class DeskPanel(Component):
    name = "anju_service_desk"
    order = 50
    template_name = "anju_services/admin/desk_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {"desks": desk_summaries(self.request.user), "inbox_url": reverse("anju_cases")}


def add_desk_panel(request, panels) -> None:
    user = request.user
    if user.is_authenticated and not user.is_superuser and user.has_perm(WORK_AT_DESK):
        panels.append(DeskPanel(request))
