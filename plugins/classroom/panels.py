"""The household page's classroom panel (the household's children in classes, with the
days they came) and the dashboard's figures for the current term."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from anju.plugins import DashboardPanel, DashboardTile, HouseholdPanel, TileFigure

from . import access
from .figures import term_figures


class ClassroomHouseholdPanel(HouseholdPanel):
    title = _("Seven-colour classroom")
    order = 320
    template_name = "classroom/admin/household_panel.html"

    def is_shown(self, request) -> bool:
        return request.user.has_perm("classroom.view_enrolment")

    def get_context_data(self, parent_context=None):
        from .models import Enrolment

        context = super().get_context_data(parent_context)
        household = context["household"]
        user = context["request"].user
        context["enrolments"] = list(
            access.visible(
                Enrolment.objects.filter(child__household=household).exclude(
                    status=Enrolment.Status.CANCELLED
                ),
                user,
            )
            .select_related("child", "klass")
            .annotate(days=Count("attendance"))
            .order_by("-created_at")
        )
        return context


class ClassroomDashboardPanel(DashboardPanel):
    name = "classroom"
    title = _("Seven-colour classroom")
    order = 430
    template_name = "classroom/admin/dashboard_panel.html"

    def is_shown(self, request) -> bool:
        return request.user.has_perm("classroom.view_enrolment") and request.user.has_perm(
            "classroom.view_classgroup"
        )

    def get_context_data(self, parent_context=None):
        from .models import Term

        term = Term.objects.order_by("-starts_on", "-pk").first()
        return {
            "panel": self,
            "request": self.request,
            "figures": term_figures(term, self.request.user) if term else None,
        }


household_panels = [ClassroomHouseholdPanel]
dashboard_panels = [ClassroomDashboardPanel]


def enrolment_counts(user, grids, start, end) -> dict:
    """Per grid, in the terms running during the month: children enrolled, of them
    the classroom's own public (priority), and places asked for on the waiting list.
    One query."""
    from django.db.models import Exists, Q

    from .models import CHILD_PATH, Enrolment

    enrolled = Q(status=Enrolment.Status.ENROLLED)
    key = CHILD_PATH + "_id"
    rows = (
        access.visible(
            Enrolment.objects.filter(
                klass__term__starts_on__lte=end, klass__term__ends_on__gte=start
            ),
            user,
        )
        # The board's grids (every grid the user may see when it has none: the station).
        .filter(Q(**{f"{CHILD_PATH}__in": grids}) | ~Exists(grids))
        .values(key)
        .annotate(
            children=Count("child", filter=enrolled, distinct=True),
            priority=Count("child", filter=enrolled & Q(priority=True), distinct=True),
            waiting=Count("pk", filter=Q(status=Enrolment.Status.WAITING)),
        )
        .order_by()
    )
    return {row.pop(key): row for row in rows}


dashboard_tiles = [
    DashboardTile(
        code="classroom.children",
        label=_("Seven-colour classroom"),
        figures=(
            TileFigure("children", _("Children enrolled")),
            TileFigure("priority", _("Of them, children of parents working away")),
            TileFigure("waiting", _("On the waiting list")),
        ),
        counts=enrolment_counts,
        permission="classroom.view_enrolment",
        order=130,
    )
]
