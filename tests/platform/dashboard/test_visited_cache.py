"""The past months' visited households kept in the cache (``anju.dashboard.visited``):
a second board counts no visits at all, and every write that changes a past month —
a visit dated in it recorded, moved or deleted, a household moved to another grid —
shows at the next board, the same as counted afresh. Real cache (Redis in CI)."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anju.dashboard import visited
from anju.dashboard.board import build_board
from tests import factories as f

pytestmark = pytest.mark.django_db


def last_month() -> datetime.date:
    return timezone.localdate().replace(day=1) - datetime.timedelta(days=1)


def visits_by_month(board) -> list[int]:
    return [row["visited"] for row in board.trend]


def visit_queries(queries) -> int:
    return sum('"community_visit"' in q["sql"] for q in queries.captured_queries)


def fresh(user, community) -> list[int]:
    """The trend counted with nothing kept."""
    with override_settings(DASHBOARD_MONTHS_CACHE_SECONDS=0):
        return visits_by_month(build_board(user, community))


def test_a_second_board_counts_no_visits_and_shows_the_same(town):
    committee = town.users["committee"]
    with CaptureQueriesContext(connection) as cold:
        first = build_board(committee, town.community)
    with CaptureQueriesContext(connection) as warm:
        again = build_board(committee, town.community)
    # Cold: this month's by the coverage tile, past months in one more query.
    assert visit_queries(cold) == 2
    assert visit_queries(warm) == 1  # the coverage tile's only
    assert visits_by_month(again) == visits_by_month(first) == fresh(committee, town.community)
    assert visits_by_month(again)[-2:] == [1, 2]


def test_writes_to_a_past_month_show_at_the_next_board(town):
    committee, worker = town.users["committee"], town.users["grid_worker"]
    build_board(committee, town.community)  # kept
    month = last_month()

    # A visit recorded late, dated last month, to h1 (grid 1).
    late = f.VisitFactory(household=town.household1, visitor=worker, visited_on=month)
    assert visits_by_month(build_board(committee, town.community))[-2] == 2

    # Moved to this month: last month loses it.
    late.visited_on = timezone.localdate()
    late.save()
    trend = visits_by_month(build_board(committee, town.community))
    assert trend[-2] == 1 and trend == fresh(committee, town.community)

    # h3 (visited last month, grid 1) moves to grid 2: the grid worker of grid 1 loses it.
    assert visits_by_month(build_board(worker, town.community))[-2] == 1
    town.household3.building = town.building2
    town.household3.save()
    assert visits_by_month(build_board(worker, town.community))[-2] == 0
    assert visits_by_month(build_board(committee, town.community))[-2] == 1

    # Its visit deleted: nobody counts it.
    town.household3.visits.get().delete()
    assert visits_by_month(build_board(committee, town.community))[-2] == 0
    assert visits_by_month(build_board(committee, town.community)) == fresh(
        committee, town.community
    )


def test_writes_without_signals_show_after_forget(town):
    from anju.community.models import Visit

    committee = town.users["committee"]
    build_board(committee, town.community)
    Visit.objects.bulk_create(
        [Visit(household=town.household2, visitor=committee, visited_on=last_month())]
    )
    assert visits_by_month(build_board(committee, town.community))[-2] == 1  # kept
    visited.forget(last_month())
    assert visits_by_month(build_board(committee, town.community))[-2] == 2
