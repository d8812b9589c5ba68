""" "My grids": a grid worker's landing page and its dashboard panel — households not
visited this month and follow-ups due, per grid.

County and township staff see every grid of their jurisdiction — a county's thousands —
so theirs is per community instead ("My communities"): households, residents, not
visited this month and follow-ups due, four queries however many communities and
grids, the dashboard panel capped at :data:`PANEL_COMMUNITIES` rows (the page lists
all). Township desk staff hold no grid: they get no such panel (the services' "My
service desk" panel is theirs)."""

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
    Community,
    Household,
    Resident,
    Visit,
)
from anju.permissions.jurisdiction import VIEW_COUNTY, VIEW_JURISDICTION, WORK_AT_DESK
from anju.permissions.scope import is_grid_restricted, scope_queryset, visible_grids
from anju.permissions.urlscope import Scope

from .views import count_of, url_name_for
from .viewsets import VIEWSETS_BY_MODEL

MY_GRIDS_LIST_CAP = 20
#: Communities the dashboard panel shows a jurisdiction's staff (the page shows all).
PANEL_COMMUNITIES = 20
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


def sees_jurisdiction(user) -> bool:
    """County and township staff: their view is per community, not per grid."""
    return bool(
        user.is_authenticated
        and not user.is_superuser
        and (user.has_perm(VIEW_COUNTY) or user.has_perm(VIEW_JURISDICTION))
    )


def desk_only(user) -> bool:
    """Township desk staff (and no jurisdiction): they hold no grid."""
    return bool(
        user.is_authenticated
        and not user.is_superuser
        and user.has_perm(WORK_AT_DESK)
        and not sees_jurisdiction(user)
    )


def community_summaries(user, *, today: datetime.date | None = None, limit: int | None = None):
    """Per community of the grids ``user`` sees (their jurisdiction): households,
    residents, households not visited this calendar month and follow-ups due within a
    week. Four queries however many communities and grids; ``limit`` caps the rows
    (``total`` on the first row's list says how many there are: see ``CommunityPage``)."""
    today = today or timezone.localdate()
    month_start = _month_start(today)
    due_by = today + datetime.timedelta(days=FOLLOW_UP_HORIZON_DAYS)
    grids = visible_grids(user).values("pk")
    communities = (
        Community.objects.filter(pk__in=visible_grids(user).values("community_id"))
        .select_related("township")
        .annotate(total=Window(Count("pk")))
        .order_by("township__name", "name", "pk")
    )
    if limit is not None:
        communities = communities[:limit]
    communities = list(communities)
    if not communities:
        return CommunityPage([], 0)
    ids = [c.pk for c in communities]
    visited_this_month = Visit.objects.filter(
        household=OuterRef("pk"), visited_on__gte=month_start, visited_on__lte=today
    )
    households = (
        Household.objects.filter(building__grid__in=grids, building__grid__community_id__in=ids)
        .order_by()
        .values(cid=F("building__grid__community_id"))
        .annotate(n=Count("pk"), unvisited=Count("pk", filter=~Exists(visited_this_month)))
    )
    residents = (
        Resident.objects.filter(household__building__grid__in=grids, community_id__in=ids)
        .order_by()
        .values(cid=F("community_id"))
        .annotate(n=Count("pk"))
    )
    follow_ups = (
        Visit.objects.filter(
            follow_up_needed=True,
            follow_up_done_at__isnull=True,
            follow_up_due__lte=due_by,
            household__building__grid__in=grids,
            household__building__grid__community_id__in=ids,
        )
        .order_by()
        .values(cid=F("household__building__grid__community_id"))
        .annotate(n=Count("pk"))
    )
    by_id = {c.pk: c for c in communities}
    for community in communities:
        community.household_count = community.resident_count = 0
        community.unvisited_count = community.follow_up_count = 0
    for row in households:
        by_id[row["cid"]].household_count = row["n"]
        by_id[row["cid"]].unvisited_count = row["unvisited"]
    for row in residents:
        by_id[row["cid"]].resident_count = row["n"]
    for row in follow_ups:
        by_id[row["cid"]].follow_up_count = row["n"]
    return CommunityPage(communities, communities[0].total)


class CommunityPage(list):
    """The communities shown, and how many the jurisdiction holds."""

    def __init__(self, rows, total: int):
        super().__init__(rows)
        self.total = total

    @property
    def more(self) -> int:
        return self.total - len(self)


class MyGridsView(WagtailAdminTemplateMixin, TemplateView):
    """A grid worker's landing page: what needs doing in each of their grids."""

    grid_scope = Scope.GRID
    template_name = "community/admin/my_grids.html"
    page_title = _("My grids")
    header_icon = "site"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_page_title(self):
        if sees_jurisdiction(self.request.user):
            return _("My communities")
        return super().get_page_title()

    def get_template_names(self):
        if sees_jurisdiction(self.request.user):
            return ["community/admin/my_communities.html"]
        return super().get_template_names()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["horizon_days"] = FOLLOW_UP_HORIZON_DAYS
        if sees_jurisdiction(user):
            context["communities"] = community_summaries(user)
            context["household_index_url"] = reverse(
                VIEWSETS_BY_MODEL[Household].get_url_name("index")
            )
            return context
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
        user = self.request.user
        if sees_jurisdiction(user):
            return {
                "communities": community_summaries(user, limit=PANEL_COMMUNITIES),
                "my_grids_url": reverse("anju_my_grids"),
                "horizon_days": FOLLOW_UP_HORIZON_DAYS,
            }
        return {
            "grids": grid_summaries(user, with_lists=False),
            "my_grids_url": reverse("anju_my_grids"),
            "horizon_days": FOLLOW_UP_HORIZON_DAYS,
        }


class MyCommunitiesPanel(MyGridsPanel):
    """County and township staff's: per community of their jurisdiction (four queries,
    at most :data:`PANEL_COMMUNITIES` rows), never a list of every grid."""

    name = "anju_my_communities"
    template_name = "community/admin/my_communities_panel.html"


def add_my_grids_panel(request, panels) -> None:
    user = request.user
    if not is_grid_restricted(user) or desk_only(user):
        return
    if sees_jurisdiction(user):
        panels.append(MyCommunitiesPanel(request))
    else:
        panels.append(MyGridsPanel(request))
