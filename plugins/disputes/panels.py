"""The household page's "Disputes" panel: the disputes the household is party to (filed
for it, or one of its residents is a party), for the grid's team — and a way to record
one heard on a recent visit."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anju.community import HouseholdPanel
from anju.permissions import scope_queryset

from .handling import VIEW, visible_disputes

PANEL_ROWS = 20


class HouseholdDisputesPanel(HouseholdPanel):
    title = _("Disputes")
    order = 60
    template_name = "disputes/household_panel.html"

    def is_shown(self, request) -> bool:
        return request.user.has_perm(VIEW)

    def get_context_data(self, parent_context=None):
        from anju.community import Visit

        context = super().get_context_data(parent_context)
        household = context["household"]
        user = context["request"].user
        involving = Q(case__household=household) | Q(
            pk__in=visible_disputes(user)
            .filter(parties__resident__household=household)
            .values("pk")
        )
        context["disputes"] = list(
            visible_disputes(user)
            .filter(involving)
            .select_related("case")
            .order_by("-case__created_at")[:PANEL_ROWS]
        )
        if user.has_perm("disputes.add_dispute"):
            context["visits"] = list(
                scope_queryset(Visit.objects.filter(household=household), user).order_by(
                    "-visited_on", "-pk"
                )[:3]
            )
        return context


household_panels = [HouseholdDisputesPanel]


# --- the dashboard's tile ------------------------------------------------------------


def dispute_counts(user, grids, start, end) -> dict:
    """Per grid, of the disputes raised in the month: raised, counted (not withdrawn),
    resolved, resolved in the grid, still open. One query (``figures.dispute_figures``
    reads the same states)."""
    from django.db.models import Count

    from .figures import raised_in
    from .models import RESOLVED_OUTCOMES, Outcome

    resolved = Q(current_outcome__in=RESOLVED_OUTCOMES)
    rows = (
        raised_in(visible_disputes(user), start, end)
        .with_state()
        .filter(
            Q(case__grid__in=grids)
            | Q(case__grid__isnull=True, case__community__in=grids.values("community_id"))
        )
        .values("case__grid_id")
        .annotate(
            raised=Count("pk"),
            counted=Count("pk", filter=~Q(current_outcome=Outcome.WITHDRAWN)),
            resolved=Count("pk", filter=resolved),
            resolved_in_grid=Count("pk", filter=Q(current_outcome=Outcome.RESOLVED_IN_GRID)),
            open=Count("pk", filter=Q(current_outcome="")),
        )
        .order_by()
    )
    return {row.pop("case__grid_id"): row for row in rows}


def _tiles():
    from anju.plugins import DashboardTile, TileFigure

    return [
        DashboardTile(
            code="disputes.month",
            label=_("Disputes"),
            figures=(
                TileFigure("resolution_rate", _("Resolution rate"), rate=("resolved", "counted")),
                TileFigure(
                    "within_grid", _("Settled in the grid"), rate=("resolved_in_grid", "resolved")
                ),
                TileFigure("raised", _("Raised")),
                TileFigure("resolved", _("Resolved")),
                TileFigure("open", _("Open")),
            ),
            counts=dispute_counts,
            permission=VIEW,
            order=100,
        )
    ]


dashboard_tiles = _tiles()
