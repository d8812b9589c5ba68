"""Figures per grid for the season (households checked, hazards open / fixed / overdue by
kind, LPG households, talk attendance), the township's workbook with formula-safe
cells, the grid worker's due items, the household panel, and constant query counts."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from anju.campaigns import Target
from anju.services import Case
from plugins.safety import handling
from plugins.safety.campaigns import safety_due, still_on_lpg
from plugins.safety.figures import grid_figures
from plugins.safety.models import GasState, SafetyTalk
from tests import factories as f

from .conftest import answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def season(world, client, target1, django_capture_on_commit_callbacks):
    """Household 1 checked (two hazards; one then removed), household 2 not; a
    household of grid 1 on LPG; a talk household 1 attended."""
    worker = world.users["grid_worker"]
    client.force_login(worker)
    with django_capture_on_commit_callbacks(execute=True):
        assert answer(client, target1, ebike="fail", wiring="fail").status_code == 201
    ebike = handling.Hazard.objects.get(item="ebike")
    handling.rectify(ebike, worker, "电动车已移到车棚")
    handling.recheck(ebike, worker, passed=True)
    wiring = handling.Hazard.objects.get(item="wiring")
    Case.objects.filter(pk=wiring.case_id).update(
        resolve_due=timezone.now() - timezone.timedelta(days=1)
    )
    handling.set_gas_state(world.household1, GasState.LPG, 2)
    talk = SafetyTalk.objects.create(
        community=world.community,
        title="燃气安全讲座",
        partner=world.gas_company,
        starts_at=timezone.now(),
        place="社区广场",
    )
    talk.attendees.add(world.household1)
    return ebike, wiring


def row_for(rows, grid):
    return next(r for r in rows if r.grid == grid.pk)


def test_figures_per_grid(world, season):
    rows = grid_figures(world.users["committee"])
    one, two = row_for(rows, world.grid1), row_for(rows, world.grid2)
    assert (one.households, one.checked, one.lpg_households, one.lpg_cylinders) == (1, 1, 1, 2)
    assert one.talk_households == 1 and one.talk_share == 1.0
    assert one.hazards["fire"] == {"open": 0, "fixed": 1, "overdue": 0}
    assert one.hazards["electrical"] == {"open": 1, "fixed": 0, "overdue": 1}
    assert (two.households, two.checked, two.lpg_households) == (1, 0, 0)


def test_a_grid_worker_gets_their_grid_only(world, season):
    rows = grid_figures(world.users["grid_worker"])
    assert [r.grid for r in rows] == [world.grid1.pk]


def test_figures_api_and_bad_input(world, season, client):
    client.force_login(world.users["committee"])
    response = client.get("/api/safety/figures/")
    assert response.status_code == 200
    grid1 = next(r for r in response.json() if r["grid"] == world.grid1.pk)
    assert grid1["checked"] == 1 and grid1["hazards"]["electrical"]["overdue"] == 1
    bad = client.get("/api/safety/figures/", {"on": "next winter"})
    assert bad.status_code == 400 and "on" in bad.json()
    assert client.get(reverse("safety_figures:index"), {"on": "nonsense"}).status_code == 200


def test_the_workbook_neutralises_formulas(world, season, client):
    world.grid1.name = '=HYPERLINK("http://x")'
    world.grid1.save()
    client.force_login(world.users["committee"])
    response = client.get(reverse("safety_figures:export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)]
    assert '\'=HYPERLINK("http://x")' in names
    row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value.startswith("'"))
    assert sheet.cell(row, 3).value == 1  # checked this season


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("committee", True),
        ("grid_worker", True),
        ("resident_rep", False),
        ("service_staff", False),
        ("partner_staff", False),
        ("resident", False),
    ],
)
def test_export_per_role(world, season, client, role, allowed):
    client.force_login(world.users[role])
    response = client.get(reverse("safety_figures:export"))
    if allowed:
        assert response.status_code == 200 and response["Content-Type"] == XLSX
    else:  # the admin sends those without the permission away
        assert response.status_code in (302, 403)
        assert response.get("Content-Type") != XLSX


def test_lpg_target_rule(world):
    from anju.community import Household

    handling.set_gas_state(world.household2, GasState.LPG, 1)
    handling.set_gas_state(world.household1, GasState.CONNECTED)
    rule = still_on_lpg(world.community)
    assert list(Household.objects.filter(rule)) == [world.household2]


def test_due_items(world, season, target2):
    worker = world.users["grid_worker"]
    due = safety_due([world.household1.pk, world.household2.pk], worker)
    # Household 1 was checked; its wiring hazard has not been reported fixed yet.
    assert world.household1.pk not in due
    wiring = season[1]
    handling.rectify(wiring, worker, "已更换电线")
    due = safety_due([world.household1.pk, world.household2.pk], worker)
    labels = [str(item.label) for item in due[world.household1.pk]]
    assert len(labels) == 1 and reverse("safety_hazards:detail", args=[wiring.pk]) in [
        item.url for item in due[world.household1.pk]
    ]
    # Household 2 is pending in the running round: the campaign's own entry shows it.
    assert world.household2.pk not in due
    # A household that moved in after the list was made: not checked this season.
    newcomer = f.HouseholdFactory(building=world.building1)
    due = safety_due([world.household1.pk, newcomer.pk], worker)
    assert [str(item.label) for item in due[newcomer.pk]] == ["本季度入户安全检查"]
    assert safety_due([world.household1.pk], world.users["service_staff"]) == {}


def test_no_check_due_when_the_community_runs_no_seasonal_check(world):
    """Without an open round of the safety check this season, nothing is said."""
    assert safety_due([world.household1.pk, world.household2.pk], world.users["committee"]) == {}


def test_due_items_on_the_due_list(world, season, target2):
    from anju.campaigns.duelist import due_list

    worker = world.users["grid_worker"]
    handling.rectify(season[1], worker, "已更换电线")
    rows = due_list(worker)
    assert [row.household_id for row in rows] == [world.household1.pk]
    urls = [entry.url for entry in rows[0].entries]
    assert reverse("safety_hazards:detail", args=[season[1].pk]) in urls


def test_due_items_constant_queries(world, season):
    worker = world.users["grid_worker"]
    few = [world.household1.pk]
    extra = [f.HouseholdFactory(building=world.building1).pk for _ in range(15)]
    handling.Hazard.objects.update(rectified_at=timezone.now())
    safety_due(few, worker)  # permissions and the checklist's service, cached after
    with CaptureQueriesContext(connection) as small:
        safety_due(few, worker)
    with CaptureQueriesContext(connection) as large:
        safety_due(few + extra, worker)
    assert len(large) == len(small) <= 6


def test_household_panel(world, season, client):
    client.force_login(world.users["grid_worker"])
    page = client.get(reverse("community_household:inspect", args=[world.household1.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "data-safety-panel" in body
    assert "2" in body and str(season[1].get_item_display()) in body


def test_hazard_list_constant_queries(world, client, django_assert_max_num_queries):
    worker = world.users["grid_worker"]
    client.force_login(worker)

    def hazards(n):
        for _ in range(n):
            household = f.HouseholdFactory(building=world.building1)
            household.head = f.ResidentFactory(household=household)
            household.save()
            handling.file_hazard(household, item="sockets", actor=worker)

    hazards(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("safety_hazards:index")).status_code == 200
    with CaptureQueriesContext(connection) as api_small:
        assert client.get("/api/safety/hazards/").status_code == 200
    hazards(10)
    with django_assert_max_num_queries(len(small)):
        client.get(reverse("safety_hazards:index"))
    with django_assert_max_num_queries(len(api_small)):
        response = client.get("/api/safety/hazards/")
    assert response.json()["count"] == 12


def test_figures_constant_queries(world, season):
    committee = world.users["committee"]
    grid_figures(committee)  # content types and the checklist's service, cached after
    with CaptureQueriesContext(connection) as small:
        grid_figures(committee)
    for number in range(3, 8):
        grid = f.GridFactory(community=world.community, number=number)
        building = f.BuildingFactory(grid=grid)
        f.HouseholdFactory(building=building)
    committee = type(committee).objects.get(pk=committee.pk)  # a new request's user
    grid_figures(committee)  # the user's grids: read once per request
    with CaptureQueriesContext(connection) as large:
        rows = grid_figures(committee)
    assert len(rows) == 7
    assert len(large) == len(small) <= 8


def test_targets_unchanged(world, season):
    assert Target.objects.count() == 2
