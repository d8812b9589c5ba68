"""The board's short-lived cache: a second look costs no tile query and shows the same
figures; a write to what a tile counts shows at the next look; each user has their own
entry (a grid worker never gets the committee's figures)."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anju.dashboard.board import build_board
from tests import factories as f

from .test_figures import figures

pytestmark = pytest.mark.django_db


def counted(user, community):
    with CaptureQueriesContext(connection) as queries:
        board = build_board(user, community)
    return board, len(queries)


@override_settings(DASHBOARD_CACHE_SECONDS=60)
def test_the_figures_are_kept_until_a_write(town):
    committee, worker = town.users["committee"], town.users["grid_worker"]
    first, fresh_queries = counted(committee, town.community)
    again, cached_queries = counted(committee, town.community)
    assert fresh_queries >= len(first.tiles)
    assert cached_queries <= 2  # the generation number: no tile counted
    for code in ("core.visits", "core.cases", "elderly.canteen"):
        assert figures(again, code) == figures(first, code)
    assert [g.name for g in again.grids] == [g.name for g in first.grids]
    assert again.trend == first.trend

    # Another user: their own scope, counted for them.
    own = build_board(worker, town.community)
    assert [g.number for g in own.grids] == [1]
    assert "total" in figures(own, "core.visits")
    assert figures(own, "core.visits")["total"]["households"] == 2

    # A visit recorded now shows at the next look.
    f.VisitFactory(household=town.household3, visitor=worker, visited_on=timezone.localdate())
    after, after_queries = counted(committee, town.community)
    assert after_queries > cached_queries
    assert figures(after, "core.visits")["total"]["visited"] == 3


def test_off_in_tests_by_default(town):
    counted(town.users["committee"], town.community)
    board, again = counted(town.users["committee"], town.community)
    assert again >= len(board.tiles)  # every tile counted afresh
