""" "My grids": a grid worker's landing page and its dashboard panel — households not
visited this month and follow-ups due, per grid."""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from anju.community.models import (
    Household,
    Visit,
)
from anju.permissions.scope import is_grid_restricted, scope_queryset, visible_grids
from anju.permissions.urlscope import Scope

from .views import count_of, url_name_for
from .viewsets import VIEWSETS_BY_MODEL

MY_GRIDS_LIST_CAP = 20
#: Follow-ups due within this many days count as due.
FOLLOW_UP_HORIZON_DAYS = 7


def _month_start(today: datetime.date) -> datetime.date:
    return today.replace(day=1)


def grid_summaries(user, *, with_lists: bool = True, today: datetime.date | None = None):
    """Per visible grid: households, households not visited this calendar month and
    follow-ups due within a week. Three queries however many grids (one without the
    lists), each list capped at MY_GRIDS_LIST_CAP rows per grid."""
    today = today or timezone.localdate()
    month_start = _month_start(today)
    due_by = today + datetime.timedelta(days=FOLLOW_UP_HORIZON_DAYS)
    visited_this_month = Visit.objects.filter(
        household=OuterRef("pk"), visited_on__gte=month_start, visited_on__lte=today
    )
    open_follow_up = Q(
        follow_up_needed=True, follow_up_done_at__isnull=True, follow_up_due__lte=due_by
    )

    unvisited_in_grid = (
        Household.objects.filter(building__grid=OuterRef("pk"))
        .filter(~Exists(visited_this_month))
        .order_by()
        .values("building__grid")
        .annotate(n=Count("pk"))
        .values("n")
    )
    due_in_grid = (
        Visit.objects.filter(open_follow_up, household__building__grid=OuterRef("pk"))
        .order_by()
        .values("household__building__grid")
        .annotate(n=Count("pk"))
        .values("n")
    )
    grids = list(
        visible_grids(user)
        .select_related("community")
        .annotate(
            household_count=count_of(Household, "building__grid"),
            unvisited_count=Coalesce(
                Subquery(unvisited_in_grid, output_field=IntegerField()), Value(0)
            ),
            follow_up_count=Coalesce(Subquery(due_in_grid, output_field=IntegerField()), Value(0)),
        )
        .order_by("community__name", "number")
    )
    for grid in grids:
        grid.unvisited = []
        grid.follow_ups = []
    if not with_lists or not grids:
        return grids

    by_id = {grid.pk: grid for grid in grids}
    unvisited = (
        scope_queryset(Household.objects.all(), user)
        .filter(building__grid__in=list(by_id))
        .filter(~Exists(visited_this_month))
        .select_related("building")
        .annotate(
            row=Window(
                RowNumber(),
                partition_by=[F("building__grid_id")],
                order_by=[
                    F("building__sort_order").asc(),
                    F("building__name").asc(),
                    F("unit").asc(),
                    F("room").asc(),
                ],
            )
        )
        .filter(row__lte=MY_GRIDS_LIST_CAP)
        .order_by("building__sort_order", "building__name", "unit", "room")
    )
    for household in unvisited:
        by_id[household.building.grid_id].unvisited.append(household)

    follow_ups = (
        scope_queryset(Visit.objects.all(), user)
        .filter(open_follow_up, household__building__grid__in=list(by_id))
        .select_related("household__building", "visitor")
        .annotate(
            grid_id=F("household__building__grid_id"),
            row=Window(
                RowNumber(),
                partition_by=[F("household__building__grid_id")],
                order_by=[F("follow_up_due").asc(), F("id").asc()],
            ),
        )
        .filter(row__lte=MY_GRIDS_LIST_CAP)
        .order_by("follow_up_due", "id")
    )
    for visit in follow_ups:
        visit.overdue = visit.follow_up_due < today
        by_id[visit.grid_id].follow_ups.append(visit)
    return grids


class MyGridsView(WagtailAdminTemplateMixin, TemplateView):
    """A grid worker's landing page: what needs doing in each of their grids."""

    grid_scope = Scope.GRID
    template_name = "community/admin/my_grids.html"
    page_title = _("My grids")
    header_icon = "site"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["grids"] = grid_summaries(user)
        context["list_cap"] = MY_GRIDS_LIST_CAP
        context["horizon_days"] = FOLLOW_UP_HORIZON_DAYS
        context["household_url_name"] = url_name_for(Household, user)
        context["household_inspect_url_name"] = VIEWSETS_BY_MODEL[Household].get_url_name("inspect")
        context["visit_url_name"] = url_name_for(Visit, user)
        context["household_index_url"] = reverse(VIEWSETS_BY_MODEL[Household].get_url_name("index"))
        context["visit_index_url"] = reverse(VIEWSETS_BY_MODEL[Visit].get_url_name("index"))
        return context


class MyGridsPanel(Component):
    """Dashboard panel for grid-restricted users: the "My grids" counts (one query)."""

    grid_scope = Scope.GRID
    name = "anju_my_grids"
    order = 50
    template_name = "community/admin/my_grids_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {
            "grids": grid_summaries(self.request.user, with_lists=False),
            "my_grids_url": reverse("anju_my_grids"),
            "horizon_days": FOLLOW_UP_HORIZON_DAYS,
        }


def add_my_grids_panel(request, panels) -> None:
    if is_grid_restricted(request.user):
        panels.append(MyGridsPanel(request))
