"""The audited "show whole ID number" view, the household page and its plugin panels,
"My grids" and its dashboard panel, and constant query counts for every list."""

import datetime
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from anju.community.models import Grid, GridTeamMember, Resident, SpecialGroup
from anju.community.panels import (
    HouseholdPanel,
    household_panels,
    register_household_panel,
    registered_household_panel,
)
from anju.core import audit
from anju.core.models import AuditEntry
from anju.register.admin.my_grids import MY_GRIDS_LIST_CAP
from tests.factories import (
    BuildingFactory,
    GridFactory,
    HouseholdFactory,
    ResidentFactory,
    VisitFactory,
    seat,
)

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident"]


def reveal_url(resident):
    return reverse("community_resident:reveal_id", args=[resident.pk])


# --- show the whole ID number ---------------------------------------------------------

#: role → (status for grid 1's resident, status for grid 2's resident)
REVEAL = {
    "superuser": (200, 200),
    "committee": (200, 200),
    "grid_worker": (200, 404),
    "resident_rep": (403, 403),  # no view_full_id_number
    "service_staff": (403, 403),
    "resident": (302, 302),  # no admin access: to the login
    None: (302, 302),  # anonymous
}


@pytest.mark.parametrize("role", [*ROLES, None], ids=lambda r: r or "anonymous")
def test_reveal_shows_the_number_and_audits_only_when_allowed(world, client, role):
    user = world.users[role] if role else None
    if user:
        client.force_login(user)
    for resident, expected in zip((world.resident1, world.resident2), REVEAL[role], strict=True):
        response = client.post(reveal_url(resident))
        assert response.status_code == expected
        entries = AuditEntry.objects.filter(object_id=str(resident.pk))
        if expected == 200:
            assert resident.id_number in response.content.decode()
            entry = entries.get()
            assert entry.user == user
            assert entry.action == audit.VIEW_ID_NUMBER
            assert entry.where == "admin"
        else:
            assert resident.id_number.encode() not in response.content
            assert not entries.exists()


def test_every_look_is_recorded(world, client):
    client.force_login(world.users["grid_worker"])
    for _ in range(3):
        assert client.post(reveal_url(world.resident1)).status_code == 200
    assert AuditEntry.objects.filter(action=audit.VIEW_ID_NUMBER).count() == 3


def test_reveal_is_post_only(world, client):
    client.force_login(world.users["committee"])
    assert client.get(reveal_url(world.resident1)).status_code == 405
    assert not AuditEntry.objects.exists()


def test_the_reveal_button_is_offered_to_those_allowed(world, client):
    button = reveal_url(world.resident1)
    client.force_login(world.users["grid_worker"])
    response = client.get(reverse("community_resident:inspect", args=[world.resident1.pk]))
    assert button in response.content.decode()
    assert not AuditEntry.objects.exists()  # looking at the page is not looking at the number
    client.force_login(world.users["resident_rep"])
    response = client.get(reverse("community_resident:inspect", args=[world.resident1.pk]))
    assert response.status_code == 200
    assert button not in response.content.decode()


# --- the household page ---------------------------------------------------------------


def household_page(client, household):
    return client.get(reverse("community_household:inspect", args=[household.pk]))


def test_household_page_shows_address_residents_and_visits(world, client):
    low_income = SpecialGroup.objects.create(code="low", name="低保", sensitive=True)
    elder = ResidentFactory(
        household=world.household1,
        name="王老太",
        birth_date=datetime.date(1940, 1, 2),
        relation=Resident.Relation.PARENT,
    )
    elder.groups.add(low_income)
    client.force_login(world.users["grid_worker"])
    response = household_page(client, world.household1)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.household1.address in html
    assert "王小明" in html and "王老太" in html
    assert elder.masked_id_number in html and elder.id_number not in html
    assert str(elder.age) in html
    assert "低保" in html  # grid workers handle cases: they see sensitive tags
    assert [r.pk for r in response.context["residents"]] == [world.resident1.pk, elder.pk]
    assert [r.is_aged_70_plus for r in response.context["residents"]] == [False, True]
    assert [v.pk for v in response.context["visits"]] == [world.visit1.pk]

    client.force_login(world.users["resident_rep"])
    html = household_page(client, world.household1).content.decode()
    assert "王老太" in html and "低保" not in html


class AddressPanel(HouseholdPanel):
    title = "Meals"
    order = 10

    def render_html(self, parent_context=None):
        return format_html("<p data-meals>{} eats at the canteen</p>", parent_context["household"])


class BrokenPanel(HouseholdPanel):
    title = "Broken plugin"
    order = 5

    def render_html(self, parent_context=None):
        raise RuntimeError("plugin bug")


class TemplatePanel(HouseholdPanel):
    title = "From a template"
    order = 20
    template_name = "community/admin/my_grids_panel.html"  # any template will do


def test_panels_render_and_a_failing_one_becomes_an_error_box(world, client, caplog):
    client.force_login(world.users["grid_worker"])
    before = household_panels()  # plugins' panels, if any
    with (
        registered_household_panel(AddressPanel),
        registered_household_panel(BrokenPanel),
        caplog.at_level(logging.ERROR, logger="anju.community.panels"),
    ):
        ours = [p for p in household_panels() if p not in before]
        assert ours == [BrokenPanel, AddressPanel]
        response = household_page(client, world.household1)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<p data-meals>{world.household1.address} eats at the canteen</p>" in html
    assert "data-household-panel-error" in html
    assert html.index("Broken plugin") < html.index("data-meals")  # by order
    assert "plugin bug" not in html
    assert any("BrokenPanel" in r.getMessage() and r.exc_info for r in caplog.records)
    # Gone again after the block.
    assert household_panels() == before
    assert "data-meals" not in household_page(client, world.household1).content.decode()


def test_a_template_panel_gets_the_household_in_its_context(world, client, monkeypatch):
    seen = {}

    def get_context_data(self, parent_context=None):
        seen.update(parent_context)
        return HouseholdPanel.get_context_data(self, parent_context)

    monkeypatch.setattr(TemplatePanel, "get_context_data", get_context_data)
    client.force_login(world.users["committee"])
    with registered_household_panel(TemplatePanel):
        assert household_page(client, world.household2).status_code == 200
    assert seen["household"] == world.household2
    assert seen["request"].user == world.users["committee"]


@pytest.mark.parametrize("thing", [object, HouseholdPanel, AddressPanel(), "AddressPanel", 42])
def test_only_household_panel_subclasses_register(thing):
    before = household_panels()
    with pytest.raises(TypeError):
        register_household_panel(thing)
    assert household_panels() == before


class HiddenPanel(HouseholdPanel):
    title = "Committee only"

    def is_shown(self, request):
        return request.user.has_perm("community.delete_household")

    def render_html(self, parent_context=None):
        return mark_safe("<p data-hidden-panel>secret</p>")


def test_a_panel_may_hide_itself(world, client):
    with registered_household_panel(HiddenPanel):
        client.force_login(world.users["grid_worker"])
        assert "data-hidden-panel" not in household_page(client, world.household1).content.decode()
        client.force_login(world.users["committee"])
        assert "data-hidden-panel" in household_page(client, world.household1).content.decode()


# --- My grids -------------------------------------------------------------------------


@pytest.fixture
def grid_work(world):
    """Grid 1: household1 visited today; household3 not visited this month; follow-ups
    due in 3 days (counts), overdue (counts), in 10 days (not yet), done (not)."""
    today = timezone.localdate()
    household3 = HouseholdFactory(building=world.building1, room="103")
    due = VisitFactory(
        household=household3,
        visitor=world.users["grid_worker"],
        visited_on=today.replace(day=1) - datetime.timedelta(days=1),  # last month
        follow_up_needed=True,
        follow_up_due=today + datetime.timedelta(days=3),
    )
    overdue = VisitFactory(
        household=world.household1,
        visitor=world.users["grid_worker"],
        visited_on=today,
        follow_up_needed=True,
        follow_up_due=today - datetime.timedelta(days=1),
    )
    VisitFactory(
        household=world.household1,
        visitor=world.users["grid_worker"],
        visited_on=today,
        follow_up_needed=True,
        follow_up_due=today + datetime.timedelta(days=10),
    )
    VisitFactory(
        household=world.household1,
        visitor=world.users["grid_worker"],
        visited_on=today,
        follow_up_needed=True,
        follow_up_due=today,
        follow_up_done_at=timezone.now(),
    )
    # Grid 2 has work too, which grid 1's people must not see.
    VisitFactory(
        household=world.household2,
        visitor=world.users["committee"],
        visited_on=today,
        follow_up_needed=True,
        follow_up_due=today,
    )
    return household3, due, overdue


def test_my_grids_for_the_grid_worker(world, client, grid_work):
    household3, due, overdue = grid_work
    client.force_login(world.users["grid_worker"])
    response = client.get(reverse("anju_my_grids"))
    assert response.status_code == 200
    [grid] = response.context["grids"]
    assert grid == world.grid1
    assert grid.household_count == 2
    assert grid.unvisited_count == 1
    assert grid.unvisited == [household3]
    assert grid.follow_up_count == 2
    assert grid.follow_ups == [overdue, due]
    assert grid.follow_ups[0].overdue and not grid.follow_ups[1].overdue
    html = response.content.decode()
    assert reverse("community_household:inspect", args=[household3.pk]) in html
    assert world.household2.address not in html


def test_my_grids_for_the_committee_covers_the_community(world, client, grid_work):
    client.force_login(world.users["committee"])
    grids = client.get(reverse("anju_my_grids")).context["grids"]
    assert grids == [world.grid1, world.grid2]
    assert [g.follow_up_count for g in grids] == [2, 1]


def test_my_grids_lists_are_capped(world, client):
    for n in range(MY_GRIDS_LIST_CAP + 3):
        HouseholdFactory(building=world.building1, room=f"9{n:02d}")
    client.force_login(world.users["grid_worker"])
    [grid] = client.get(reverse("anju_my_grids")).context["grids"]
    assert grid.unvisited_count == MY_GRIDS_LIST_CAP + 3
    assert len(grid.unvisited) == MY_GRIDS_LIST_CAP


def _more_grids(world, count):
    for _ in range(count):
        grid = GridFactory(community=world.community)
        building = BuildingFactory(grid=grid)
        household = HouseholdFactory(building=building)
        HouseholdFactory(building=building)
        VisitFactory(
            household=household,
            visitor=world.users["committee"],
            follow_up_needed=True,
            follow_up_due=timezone.localdate(),
        )


def count_queries(client, url):
    client.get(url)  # warm up: session, content types, ...
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def test_my_grids_queries_do_not_grow_with_the_grids(world, client):
    client.force_login(world.users["committee"])
    url = reverse("anju_my_grids")
    _more_grids(world, 1)
    few = count_queries(client, url)
    _more_grids(world, 4)
    assert count_queries(client, url) == few


def test_dashboard_panel_for_grid_restricted_users(world, client, grid_work):
    client.force_login(world.users["grid_worker"])
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="anju-my-grids' in html or "anju-my-grids" in html
    assert f'data-grid="{world.grid1.pk}"' in html
    assert f'data-grid="{world.grid2.pk}"' not in html
    assert reverse("anju_my_grids") in html  # the menu item, and the panel's links

    client.force_login(world.users["committee"])  # not grid-restricted: no panel
    assert "anju-my-grids" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_dashboard_queries_do_not_grow_with_the_grids(world, client):
    worker = world.users["grid_worker"]
    client.force_login(worker)
    url = reverse("wagtailadmin_home")
    client.get(url)  # warm: the process's memory of sites and plugins
    few = count_queries(client, url)
    _more_grids(world, 3)
    for grid in Grid.objects.exclude(pk=world.grid1.pk):
        seat(worker, grid)
    response = client.get(url)
    (my_grids,) = [p for p in response.context["panels"] if type(p).__name__ == "MyGridsPanel"]
    assert len(my_grids.get_context_data()["grids"]) == 5
    client.get(url)  # the new buildings moved the publish generation: warm again
    assert count_queries(client, url) == few


# --- lists run the same number of queries for N and 3N rows ---------------------------


def _add_rows(world, n):
    """n more of everything in grid 1 (and new grids) with every relation filled in."""
    group, _ = SpecialGroup.objects.get_or_create(code="alone", defaults={"name": "独居"})
    sensitive, _ = SpecialGroup.objects.get_or_create(
        code="low", defaults={"name": "低保", "sensitive": True}
    )
    for _ in range(n):
        grid = GridFactory(community=world.community)
        BuildingFactory(grid=grid)
        building = BuildingFactory(grid=world.grid1)
        household = HouseholdFactory(building=building)
        resident = ResidentFactory(household=household)
        resident.groups.add(group, sensitive)
        household.head = resident
        household.save()
        VisitFactory(household=household, visitor=world.users["grid_worker"])


LISTS = [
    ("community_grid:index", {}),
    ("community_gridteammember:index", {}),
    ("community_building:index", {}),
    ("community_household:index", {}),
    ("community_household:index", {"export": "csv"}),
    ("community_resident:index", {}),
    ("community_resident:index", {"export": "csv"}),
    ("community_resident:index", {"q": "居民"}),
    ("community_visit:index", {}),
    ("community_specialgroup:index", {}),
]


@pytest.mark.parametrize("role", ["committee", "grid_worker"])
def test_list_queries_are_constant_in_the_number_of_rows(world, client, role):
    client.force_login(world.users[role])
    n = 3
    _add_rows(world, n)
    urls = [
        reverse(name) + ("?" + "&".join(f"{k}={v}" for k, v in q.items()) if q else "")
        for name, q in LISTS
    ]
    few = {url: count_queries(client, url) for url in urls}
    _add_rows(world, 2 * n)
    many = {url: count_queries(client, url) for url in urls}
    assert many == few
    # and the rows really are there (the lists are not empty or paginated away)
    response = client.get(reverse("community_resident:index"))
    expected = 1 + 3 * n + (1 if role == "committee" else 0)
    assert len(response.context["object_list"]) == expected


def test_the_seat_list_is_scoped(world, client):
    client.force_login(world.users["grid_worker"])
    response = client.get(reverse("community_gridteammember:index"))
    assert {m.pk for m in response.context["object_list"]} == set(
        GridTeamMember.objects.filter(grid=world.grid1).values_list("pk", flat=True)
    )
