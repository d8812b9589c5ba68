"""Figures checked against hand-computed values on a fixed set of cases."""

import datetime

from django.utils import timezone

from anju.services.figures import compute
from anju.services.models import Case, Level, Status
from anju.services.visibility import visible_cases

from .conftest import file_case


def _at(case, *, created, resolved=None, status, level=Level.GRID, breached=False, sat=None):
    tz = timezone.get_current_timezone()
    created_at = datetime.datetime(2026, *created, tzinfo=tz)
    resolved_at = created_at + datetime.timedelta(hours=resolved) if resolved else None
    Case.objects.filter(pk=case.pk).update(
        created_at=created_at,
        resolved_at=resolved_at,
        status=status,
        level=level,
        sla_breached=breached,
        satisfaction=sat,
    )


def test_figures_match_hand_computed_values(world, built_service):
    g1 = [file_case(built_service, household=world.household1) for _ in range(4)]
    g2 = [file_case(built_service, household=world.household2) for _ in range(2)]
    _at(g1[0], created=(3, 1, 9), resolved=10, status=Status.CLOSED, sat=5)
    _at(g1[1], created=(3, 5, 9), resolved=30, status=Status.RESOLVED)
    _at(g1[2], created=(4, 2, 9), status=Status.IN_PROGRESS, breached=True)
    _at(g1[3], created=(4, 3, 9), status=Status.REJECTED)
    _at(
        g2[0],
        created=(4, 9, 9),
        resolved=50,
        status=Status.CLOSED,
        level=Level.COMMUNITY,
        breached=True,
        sat=3,
    )
    _at(g2[1], created=(5, 1, 9), status=Status.ESCALATED, level=Level.COMMUNITY)

    f = compute(Case.objects.all())
    assert (f.filed, f.open, f.resolved, f.closed, f.rejected) == (6, 2, 1, 2, 1)
    assert f.sla_breaches == 2 and f.escalated == 2
    # done: g1[0], g1[1] in the grid, g2[0] escalated -> 2 of 3
    assert f.resolved_within_grid == 2 and f.resolved_within_grid_share == round(2 / 3, 4)
    assert f.median_hours_to_resolve == 30.0  # of 10, 30, 50
    assert f.average_satisfaction == 4.0
    by_grid = {row["grid"]: row for row in f.by_grid}
    assert by_grid["第一网格"] == {
        "grid_id": world.grid1.pk,
        "grid": "第一网格",
        "total": 4,
        "open": 1,
        "done": 2,
        "within_grid": 2,
    }
    assert by_grid["第二网格"]["done"] == 1 and by_grid["第二网格"]["within_grid"] == 0
    assert [(m["month"], m["total"]) for m in f.by_month] == [
        ("2026-03", 2),
        ("2026-04", 3),
        ("2026-05", 1),
    ]

    april = compute(
        Case.objects.all(), start=datetime.date(2026, 4, 1), end=datetime.date(2026, 4, 30)
    )
    assert april.filed == 3 and april.median_hours_to_resolve == 50.0

    # A grid worker's figures cover only grid 1.
    mine = compute(visible_cases(world.users["grid_worker"]))
    assert mine.filed == 4 and mine.resolved_within_grid_share == 1.0


def test_empty_figures_have_no_rates(world):
    f = compute(Case.objects.all())
    assert f.filed == 0 and f.resolved_within_grid_share is None
    assert f.median_hours_to_resolve is None and f.as_dict()["by_grid"] == []
