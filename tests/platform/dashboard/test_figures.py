"""Every tile's figures against the hand-counted world of conftest.EXPECTED: per grid,
for the community (the committee) and for one grid (its grid worker)."""

import pytest

from anju.dashboard.board import build_board

from .conftest import EXPECTED

pytestmark = pytest.mark.django_db


def figures(board, code):
    (tile,) = [t for t in board.tiles if t.code == code]
    assert not tile.failed
    result = {"total": {f.key: v for f, v in tile.total()}}
    for grid in board.grids:
        result[grid.number] = {f.key: v for f, v in tile.for_grid(grid.pk)}
    return result


def subset(found: dict, expected: dict) -> dict:
    return {key: found.get(key) for key in expected}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_committee_sees_every_grid_and_the_total(town, code):
    board = build_board(town.users["committee"], town.community)
    assert [g.number for g in board.grids] == [1, 2]
    found = figures(board, code)
    for part, expected in EXPECTED[code].items():
        assert subset(found[part], expected) == expected, (code, part)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_grid_worker_sees_their_grid_only(town, code):
    board = build_board(town.users["grid_worker"], town.community)
    assert [g.number for g in board.grids] == [1]
    found = figures(board, code)
    expected = EXPECTED[code][1]
    assert subset(found[1], expected) == expected
    # Their total is their grid's, never the community's.
    assert subset(found["total"], expected) == expected


def test_trend_counts_cases_and_visits_by_month(town):
    board = build_board(town.users["committee"], town.community)
    this_month, last_month = board.trend[-1], board.trend[-2]
    assert (this_month["filed"], this_month["resolved"], this_month["visited"]) == (6, 3, 2)
    assert (last_month["filed"], last_month["resolved"], last_month["visited"]) == (0, 0, 1)
    assert len(board.trend) == 6
