"""The household page's "Campaigns" panel: this household's campaign history (every
round it was a target of, with the outcome) and what it owes now — campaigns' targets
still due and the active plugins' due items."""

from django.utils.translation import gettext_lazy as _

from anju.community.panels import HouseholdPanel, register_household_panel

from . import registry
from .models import DUE_OUTCOMES, Round
from .visibility import visible_targets

HISTORY_CAP = 50


@register_household_panel
class CampaignsPanel(HouseholdPanel):
    title = _("Campaigns")
    order = 120
    template_name = "anju_campaigns/household_panel.html"

    def is_shown(self, request) -> bool:
        return request.user.has_perm("campaigns.view_target")

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        household = context["household"]
        request = context["request"]
        targets = list(
            visible_targets(request.user)
            .filter(household=household)
            .select_related("round__campaign")
            .order_by("-round__starts_on", "pk")[:HISTORY_CAP]
        )
        context["history"] = targets
        context["due"] = [
            t
            for t in targets
            if t.active and t.outcome in DUE_OUTCOMES and t.round.status == Round.Status.OPEN
        ]
        community = household.building.grid.community
        items = []
        for source in registry.sources_for(community):
            items.extend((source.items([household.pk], request.user) or {}).get(household.pk, []))
        context["plugin_items"] = items
        return context
