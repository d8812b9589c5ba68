"""A user who sees several communities (a superuser here; county staff alike) gets one
community's figures on its board: another community's households, visits, cases and
elders are never summed into its total, and its grids cost no extra query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anju.dashboard.board import build_board
from tests import factories as f
from tests.platform.services.conftest import file_case

from .conftest import EXPECTED
from .test_figures import figures, subset

pytestmark = pytest.mark.django_db


def test_another_community_is_not_counted_in(town, built_service):
    admin = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    build_board(admin, town.community)  # past months' visits kept (anju.dashboard.visited)
    with CaptureQueriesContext(connection) as before:
        build_board(admin, town.community)

    other = f.CommunityFactory(code="other", name="别的社区")
    grid = f.GridFactory(community=other, number=1, name="别处第一网格")
    building = f.BuildingFactory(grid=grid, name="9号楼")
    for room in ("101", "102"):
        household = f.HouseholdFactory(building=building, room=room)
        f.ResidentFactory(household=household, birth_date=timezone.localdate().replace(year=1940))
        f.VisitFactory(household=household, visitor=admin)
    file_case(built_service, household=household, phone="13900000001")

    # Warm again, as before: a community saved forgets which site is whose (the
    # notices' communities are looked up once per site, not per notice).
    build_board(admin, town.community)
    with CaptureQueriesContext(connection) as after:
        board = build_board(admin, town.community)
    assert len(after) == len(before)
    assert [g.community_id for g in board.grids] == [town.community.pk] * 2
    for code in ("core.visits", "core.cases", "elderly.canteen"):
        total = EXPECTED[code]["total"]
        assert subset(figures(board, code)["total"], total) == total, code

    theirs = build_board(admin, other)
    assert figures(theirs, "core.visits")["total"]["households"] == 2
    assert figures(theirs, "core.cases")["total"]["filed"] == 1
