"""The household page's "Requests" panel: the household's cases, for its grid team."""

from django.utils.translation import gettext_lazy as _

from anju.community.panels import HouseholdPanel, register_household_panel


@register_household_panel
class HouseholdCasesPanel(HouseholdPanel):
    title = _("Requests (cases)")
    order = 50
    template_name = "anju_services/household_panel.html"

    def is_shown(self, request) -> bool:
        return request.user.has_perm("services.view_case")

    def get_context_data(self, parent_context=None):
        from .models import Case
        from .visibility import visible_cases

        context = super().get_context_data(parent_context)
        household = context["household"]
        request = context["request"]
        context["cases"] = list(
            visible_cases(request.user, Case.objects.filter(household=household))
            .select_related("service", "assignee")
            .order_by("-created_at")[:20]
        )
        return context
