"""The household page's employment panel (for the grid team) and the dashboard's
employment figures."""

from django.utils.translation import gettext_lazy as _

from anju.plugins import DashboardPanel, HouseholdPanel

from . import access
from .figures import employment_figures


class EmploymentHouseholdPanel(HouseholdPanel):
    """The household's job seekers, migrant workers and subsidy applications."""

    title = _("Employment")
    order = 300
    template_name = "employment/admin/household_panel.html"

    def is_shown(self, request) -> bool:
        user = request.user
        return user.has_perm("employment.view_jobseeker") or user.has_perm(
            "employment.view_migrantwork"
        )

    def get_context_data(self, parent_context=None):
        from .models import JobSeeker, MigrantWork
        from .subsidies import applications

        context = super().get_context_data(parent_context)
        household = context["household"]
        user = context["request"].user
        context["seekers"] = (
            list(
                access.visible(
                    JobSeeker.objects.filter(resident__household=household), user
                ).select_related("resident")
            )
            if user.has_perm("employment.view_jobseeker")
            else []
        )
        context["work"] = (
            list(
                access.visible(
                    MigrantWork.objects.filter(resident__household=household), user
                ).select_related("resident")
            )
            if user.has_perm("employment.view_migrantwork")
            else []
        )
        context["applications"] = list(
            applications(user)
            .filter(household=household)
            .select_related("service__subsidy_scheme")
            .order_by("-created_at")[:20]
        )
        return context


class EmploymentDashboardPanel(DashboardPanel):
    name = "employment"
    title = _("Employment")
    order = 420
    template_name = "employment/admin/dashboard_panel.html"

    def is_shown(self, request) -> bool:
        return request.user.has_perm("employment.view_jobseeker")

    def get_context_data(self, parent_context=None):
        # Not the base class's: it copies parent_context with dict(), which refuses the
        # template Context the admin home passes.
        return {
            "panel": self,
            "request": self.request,
            "figures": employment_figures(self.request.user),
        }


household_panels = [EmploymentHouseholdPanel]
dashboard_panels = [EmploymentDashboardPanel]
