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
