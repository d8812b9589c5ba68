"""The household page's employment panel (for the grid team) and the dashboard's
employment figures."""

from django.utils.translation import gettext_lazy as _

from anju.plugins import DashboardPanel, DashboardTile, HouseholdPanel, TileFigure

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


def seeker_counts(user, grids, start, end) -> dict:
    """Per grid, the job seekers the user may see (station-wide for the station's
    staff): looking, placed, registered in the month. One query."""
    import datetime

    from django.db.models import Count, Exists, Q
    from django.utils import timezone

    from .models import JobSeeker

    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    rows = (
        access.visible(JobSeeker.objects.all(), user)
        # The board's grids (every grid the user may see when it has none: the station).
        .filter(Q(resident__household__building__grid__in=grids) | ~Exists(grids))
        .values("resident__household__building__grid_id")
        .annotate(
            looking=Count("pk", filter=Q(status=JobSeeker.Status.LOOKING)),
            placed=Count("pk", filter=Q(status=JobSeeker.Status.PLACED)),
            registered=Count("pk", filter=Q(created_at__gte=since, created_at__lt=until)),
        )
        .order_by()
    )
    return {row.pop("resident__household__building__grid_id"): row for row in rows}


dashboard_tiles = [
    DashboardTile(
        code="employment.seekers",
        label=_("Employment"),
        figures=(
            TileFigure("looking", _("Looking for work")),
            TileFigure("placed", _("Placed in a job")),
            TileFigure("registered", _("Registered this month")),
        ),
        counts=seeker_counts,
        permission="employment.view_jobseeker",
        order=110,
    )
]
