"""The household page's safety panel: gas status, the last door-to-door check, open
hazards (each a link to its page)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anju.campaigns import Outcome, TargetAnswer
from anju.plugins import HouseholdPanel

from . import handling
from .models import GasStatus


class SafetyHouseholdPanel(HouseholdPanel):
    title = _("Gas and fire safety")
    order = 320
    template_name = "safety/admin/household_panel.html"

    def is_shown(self, request) -> bool:
        return request.user.has_perm("safety.view_hazard")

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        household = context["household"]
        user = context["request"].user
        context["gas"] = GasStatus.objects.filter(household=household).first()
        context["last_check"] = (
            TargetAnswer.objects.filter(
                target__household=household,
                target__round__campaign__checklist=handling.checklist_service(),
                outcome=Outcome.DONE,
            )
            .select_related("answered_by")
            .order_by("-answered_at")
            .first()
        )
        context["hazards"] = list(
            handling.visible_hazards(user)
            .open()
            .filter(case__household=household)
            .select_related("case")
            .order_by("case__resolve_due")
        )
        return context


household_panels = [SafetyHouseholdPanel]
