"""Visit coverage per grid over a period, checked against hand-computed figures."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anju.community.figures import visit_coverage
from anju.community.models import Grid
from tests.factories import GridFactory, HouseholdFactory, VisitFactory

pytestmark = pytest.mark.django_db
API = "/api/community/visit-coverage/"
ADMIN = "/admin/visit-coverage/"


@pytest.fixture
def period(world):
    """Grid 1: 4 households, 2 visited in the period (one of them twice, one visit
    before it). Grid 2: 2 households, 1 visited (the world's own visits are today)."""
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=10), today
    a = HouseholdFactory(building=world.building1)
    b = HouseholdFactory(building=world.building1)
    HouseholdFactory(building=world.building1)
    HouseholdFactory(building=world.building2)
    worker = world.users["grid_worker"]
    VisitFactory(household=a, visitor=worker, visited_on=today - datetime.timedelta(days=5))
    VisitFactory(household=a, visitor=worker, visited_on=today - datetime.timedelta(days=3))
    VisitFactory(household=b, visitor=worker, visited_on=today - datetime.timedelta(days=20))
    return start, end


def test_hand_computed_coverage(world, period):
    rows = {r.grid.pk: r for r in visit_coverage(Grid.objects.all(), *period)}
    assert (rows[world.grid1.pk].households, rows[world.grid1.pk].visited) == (4, 2)
    assert rows[world.grid1.pk].share == 0.5 and rows[world.grid1.pk].percent == 50
    assert (rows[world.grid2.pk].households, rows[world.grid2.pk].visited) == (2, 1)


def test_an_empty_grid_has_no_share(world):
    empty = GridFactory(community=world.community)
    row = next(
        r
        for r in visit_coverage(Grid.objects.all(), *(timezone.localdate(),) * 2)
        if r.grid == empty
    )
    assert (row.households, row.visited, row.share) == (0, 0, None)


def test_one_query_however_many_grids(world, period):
    with CaptureQueriesContext(connection) as few:
        visit_coverage(Grid.objects.all(), *period)
    for _ in range(5):
        HouseholdFactory(building__grid=GridFactory(community=world.community))
    with CaptureQueriesContext(connection) as many:
        assert len(visit_coverage(Grid.objects.all(), *period)) == 7
    assert len(few) == len(many) == 1


@pytest.mark.parametrize(
    ("role", "status", "grids"),
    [
        ("superuser", 200, {"grid1", "grid2"}),
        ("committee", 200, {"grid1", "grid2"}),
        ("grid_worker", 200, {"grid1"}),
        ("resident_rep", 200, {"grid1"}),
        ("service_staff", 403, None),
        ("resident", 403, None),
        (None, 401, None),
    ],
)
def test_api_per_role(world, period, client, role, status, grids):
    if role:
        client.force_login(world.users[role])
    start, end = period
    response = client.get(API, {"start": start.isoformat(), "end": end.isoformat()})
    assert response.status_code == status
    if grids:
        names = {"grid1": world.grid1.pk, "grid2": world.grid2.pk}
        data = response.json()
        assert {g["grid"] for g in data["grids"]} == {names[g] for g in grids}
        grid1 = next(g for g in data["grids"] if g["grid"] == world.grid1.pk)
        assert (grid1["households"], grid1["visited"], grid1["share"]) == (4, 2, 0.5)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-11-20", "end": "2026-11-01"}, "non_field_errors"),
        ({"start": "not-a-date"}, "start"),
        ({"start": "2024-01-01", "end": "2026-01-01"}, "non_field_errors"),
    ],
)
def test_api_bad_periods_are_400_with_the_reason(world, client, params, field):
    client.force_login(world.users["committee"])
    response = client.get(API, params)
    assert response.status_code == 400
    assert field in response.json()


def test_api_defaults_to_this_month(world, client):
    client.force_login(world.users["committee"])
    data = client.get(API).json()
    today = timezone.localdate()
    assert data["start"] == today.replace(day=1).isoformat()
    assert data["end"] == today.isoformat()


@pytest.mark.parametrize(
    ("role", "status", "sees_grid2"),
    [
        ("committee", 200, True),
        ("grid_worker", 200, False),
        ("resident_rep", 200, False),
        ("service_staff", 302, False),  # Wagtail: no permission, back to the dashboard
        (None, 302, False),
    ],
)
def test_admin_page_per_role(world, period, client, role, status, sees_grid2):
    if role:
        client.force_login(world.users[role])
    start, end = period
    response = client.get(ADMIN, {"start": start.isoformat(), "end": end.isoformat()})
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert f'data-grid="{world.grid1.pk}" data-households="4" data-visited="2"' in html
        assert (f'data-grid="{world.grid2.pk}"' in html) is sees_grid2


def test_admin_bad_period_shows_the_error(world, client):
    client.force_login(world.users["committee"])
    response = client.get(ADMIN, {"start": "2026-11-20", "end": "2026-11-01"})
    assert response.status_code == 200
    assert "开始日期不能晚于结束日期。" in response.content.decode()
    assert "data-coverage" not in response.content.decode()
