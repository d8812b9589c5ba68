"""The household page's canteen panel (eligible elders, meals this month, dietary notes,
a welfare check due) and the dashboard's canteen figures."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.community import Resident
from anju.plugins import (
    DashboardPanel,
    DashboardTile,
    HouseholdPanel,
    ResidentItem,
    ResidentItems,
    TileFigure,
)

from . import canteen, welfare


class ElderlyHouseholdPanel(HouseholdPanel):
    title = _("Elderly canteen")
    order = 310
    template_name = "elderly/admin/household_panel.html"

    def is_shown(self, request) -> bool:
        return request.user.has_perm("elderly.view_meal")

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        household = context["household"]
        user = context["request"].user
        first, following = canteen.month_bounds(timezone.localdate())
        context["elders"] = list(
            canteen.visible(canteen.eligible_residents(), user)
            .filter(household=household)
            .select_related("elderly_diner")
            .annotate(
                month_meals=Count(
                    "elderly_meals",
                    filter=Q(elderly_meals__date__gte=first, elderly_meals__date__lt=following)
                    & (
                        Q(elderly_meals__served_at__isnull=False)
                        | Q(elderly_meals__delivered_at__isnull=False)
                    ),
                )
            )
        )
        context["checks"] = (
            welfare.due_by_household([household.pk], user).get(household.pk, [])
            if user.has_perm("elderly.view_welfarecheck")
            else []
        )
        return context


class ElderlyDashboardPanel(DashboardPanel):
    name = "elderly"
    title = _("Elderly canteen")
    order = 430
    template_name = "elderly/admin/dashboard_panel.html"

    def is_shown(self, request) -> bool:
        return request.user.has_perm("elderly.view_meal")

    def get_context_data(self, parent_context=None):
        today = timezone.localdate()
        user = self.request.user
        return {
            "panel": self,
            "request": self.request,
            "count": canteen.headcount(today, user),
            "open_checks": welfare.open_checks(user).count()
            if user.has_perm("elderly.view_welfarecheck")
            else None,
        }


household_panels = [ElderlyHouseholdPanel]
dashboard_panels = [ElderlyDashboardPanel]


def canteen_counts(user, grids, start, end) -> dict:
    """Per grid: residents eligible for the canteen at the month's end, and those who
    ate there (served or delivered) at least once in the month. One query.

    ``canteen.eligible_q`` written for counting: the granted exceptions and the month's
    diners as ``IN`` lists PostgreSQL hashes once, rather than an outer join and an
    ``EXISTS`` probed for every resident."""
    from django.db.models import Exists

    from .models import EligibilityGrant, Meal

    ate = (
        Meal.objects.filter(date__gte=start, date__lte=end)
        .filter(canteen.taken_q())
        .values("resident_id")
    )
    eligible = Q(birth_date__lte=canteen.age_cutoff(end)) | Q(
        pk__in=EligibilityGrant.objects.values("resident_id")
    )
    rows = (
        canteen.visible(Resident.objects.filter(eligible), user)
        # The board's grids (every grid the user may see when it has none: the station).
        .filter(Q(household__building__grid__in=grids) | ~Exists(grids))
        .values("household__building__grid_id")
        .annotate(eligible=Count("pk"), served=Count("pk", filter=Q(pk__in=ate)))
        .order_by()
    )
    return {row.pop("household__building__grid_id"): row for row in rows}


dashboard_tiles = [
    DashboardTile(
        code="elderly.canteen",
        label=_("Elderly canteen"),
        figures=(
            TileFigure("coverage", _("Elders served"), rate=("served", "eligible")),
            TileFigure("served", _("Ate at the canteen this month")),
            TileFigure("eligible", _("Eligible elders")),
        ),
        counts=canteen_counts,
        permission="elderly.view_meal",
        order=120,
    )
]


def lunch_for_the_household(household, request) -> list:
    """On the resident's "my household": each member who may eat at the canteen, with
    the next lunch booked (or how to book one). Two queries."""
    from django.urls import reverse

    from .models import Meal

    today = timezone.localdate()
    elders = list(canteen.eligible_residents(today).filter(household=household).order_by("pk"))
    if not elders:
        return []
    booked: dict = {}
    for resident_id, day in (
        Meal.objects.filter(resident__in=elders, date__gte=today, status=Meal.Status.BOOKED)
        .order_by("date")
        .values_list("resident_id", "date")
    ):
        booked.setdefault(resident_id, day)
    url = reverse("elderly:book")
    items = []
    for elder in elders:
        day = booked.get(elder.pk)
        if day:
            detail = _("%(name)s: lunch booked for %(day)s") % {
                "name": elder.name,
                "day": day.isoformat(),
            }
        else:
            detail = _("%(name)s may eat at the canteen (lunch, book by %(time)s on the day)") % {
                "name": elder.name,
                "time": canteen.cutoff_time().strftime("%H:%M"),
            }
        items.append(ResidentItem(title=_("Elderly canteen"), detail=detail, url=url))
    return items


resident_items = [ResidentItems(code="elderly.lunch", items=lunch_for_the_household)]
