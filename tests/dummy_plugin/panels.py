from django.utils.html import format_html
from django.utils.safestring import mark_safe

from anju.community import HouseholdPanel
from anju.plugins import DashboardPanel, DashboardTile, TileFigure


class ThingsDashboardPanel(DashboardPanel):
    name = "dummy-things"
    title = "Things"

    def render_html(self, parent_context=None):
        return mark_safe("<p data-dummy-dashboard>things panel</p>")


class BrokenDashboardPanel(DashboardPanel):
    name = "dummy-broken"
    title = "Broken"

    def render_html(self, parent_context=None):
        raise RuntimeError("broken on purpose")


class UnaskableDashboardPanel(DashboardPanel):
    """Fails before rendering: deciding whether to show it raises."""

    name = "dummy-unaskable"
    title = "Unaskable"

    def is_shown(self, request):
        raise RuntimeError("is_shown broken on purpose")


class ThingsHouseholdPanel(HouseholdPanel):
    title = "Things of this household"

    def render_html(self, parent_context=None):
        household = parent_context["household"]
        return format_html("<p data-dummy-household>things of {}</p>", household.pk)


dashboard_panels = [ThingsDashboardPanel, BrokenDashboardPanel, UnaskableDashboardPanel]
household_panels = [ThingsHouseholdPanel]


def thing_counts(user, grids, start, end):
    """Things lie in no grid: one count, under None (the total only)."""
    from .models import Thing

    return {None: {"things": Thing.objects.count()}}


# Superusers only (no role is granted delete_thing), so the roles' boards stay the
# real plugins'.
dashboard_tiles = [
    DashboardTile(
        code="dummy_plugin.things",
        label="Things",
        figures=(TileFigure("things", "Things counted"),),
        counts=thing_counts,
        permission="dummy_plugin.delete_thing",
    ),
]


def things_for_the_household(household, request):
    from anju.plugins import ResidentItem

    return [ResidentItem(title="Things to collect", detail=f"for household {household.pk}")]


def broken_items(household, request):
    raise RuntimeError("broken on purpose")


from anju.plugins import ResidentItems  # noqa: E402

resident_items = [
    ResidentItems(code="dummy_plugin.things", items=things_for_the_household),
    ResidentItems(code="dummy_plugin.broken", items=broken_items),
]
