"""One query per tile (notice reach: two, the month's notices and one UNION of their
counts), whatever the number of grids and records — and so a dashboard whose query
count does not grow: asserted at two sizes of the town."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anju.dashboard.board import board_grids, month_bounds, tiles_for
from tests import factories as f
from tests.platform.dashboard.conftest import EXPECTED
from tests.platform.delivery.test_delivery import publish_notice
from tests.platform.services.conftest import file_case

pytestmark = pytest.mark.django_db

TILE_QUERIES = {"core.notices": 2}


def grow(town, built_service, grids: int) -> None:
    """``grids`` more grids, each with households, residents, a visit and a case."""
    from plugins.employment.models import JobSeeker

    for n in range(grids):
        grid = f.GridFactory(community=town.community, number=10 + n, name=f"网格{10 + n}")
        building = f.BuildingFactory(grid=grid, name=f"{10 + n}号楼")
        for room in ("101", "102", "201"):
            household = f.HouseholdFactory(building=building, room=room)
            resident = f.ResidentFactory(household=household)
            f.VisitFactory(household=household, visitor=town.users["committee"])
        JobSeeker.objects.create(resident=resident)
        file_case(built_service, household=household, phone=f"139{n:08d}")
    publish_notice(title="第二份通知")


def tile_query_counts(user, community) -> dict:
    start, end = month_bounds(timezone.localdate())
    grids = board_grids(user, community)
    counts = {}
    for plugin, tile in tiles_for(user, community):
        if plugin == "dummy_plugin":  # the test plugin's tiles (one raises on purpose)
            continue
        with CaptureQueriesContext(connection) as queries:
            tile.counts(user, grids, start, end)
        counts[tile.code] = len(queries)
    return counts


def home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/")
    assert response.status_code == 200 and b"data-dashboard" in response.content
    return len(queries)


@pytest.mark.parametrize("role", ["committee", "grid_worker"])
def test_each_tile_is_one_query_at_two_sizes(town, built_service, role):
    user = town.users[role]
    tile_query_counts(user, town.community)  # the user's roles, looked up once per request
    small = tile_query_counts(user, town.community)
    assert set(small) >= set(EXPECTED)
    expected = {code: TILE_QUERIES.get(code, 1) for code in small}
    assert small == expected
    grow(town, built_service, 12)
    assert tile_query_counts(user, town.community) == expected


@pytest.mark.parametrize("role", ["committee", "grid_worker"])
def test_the_home_page_costs_the_same_at_two_sizes(
    client, town, built_service, role, django_assert_max_num_queries
):
    client.force_login(town.users[role])
    home_queries(client)  # warm the per-process caches (site, activation)
    small = home_queries(client)
    grow(town, built_service, 12)
    # grow publishes a notice, which drops the per-process site cache (anju.core.
    # localcache): one more query on the next request whatever the size; warm it again.
    home_queries(client)
    with django_assert_max_num_queries(small):
        home_queries(client)
