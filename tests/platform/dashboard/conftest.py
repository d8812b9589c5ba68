"""A small world for the dashboard whose every figure is counted by hand below
(``EXPECTED``), made through the same functions people's actions go through.

This month, grid 1 has households h1 and h3, grid 2 has h2:

- visits: h1 and h2 today (the world's); h3 last month only → coverage 1/2, 1/1.
- one notice that must reach every household, published today; h1 reached → 1/2, 0/1.
- cases (the 报修 service and the disputes' cases):
  grid 1: A open; B accepted and resolved in the grid; dispute 1's case resolved in
  the grid → filed 3, open 1, overdue 0, resolved 2, in the grid 2.
  grid 2: C escalated to the community then resolved; D open and past its deadline;
  dispute 2's case open → filed 3, open 2, overdue 1, resolved 1, in the grid 0.
- a campaign round over the three households, started ten days ago and due yesterday:
  h1 done → grid 1: 2 targets, 1 settled, 1 overdue; grid 2: 1 target, 0, 1.
- disputes: grid 1's resolved in the grid, grid 2's open.
- employment: resident 1 (grid 1) looking for work, registered today.
- elderly canteen: an elder of 80 in h2 who ate there today (grid 2: 1 eligible, 1).
- classroom: child 1 (grid 1, father working away: priority) and child 2 (grid 2)
  enrolled in a term running now.
"""

import datetime

import pytest
from django.utils import timezone

from anju.campaigns import rounds
from anju.campaigns.answering import record_answer
from anju.campaigns.models import Outcome, Round, Target
from anju.notices import delivery
from anju.services.models import Case, Status
from anju.services.workflow import escalate, transition
from tests import factories as f
from tests.platform.campaigns.conftest import checklist, hazard_service, make_campaign  # noqa: F401
from tests.platform.delivery.test_delivery import publish_notice
from tests.platform.services.conftest import built_service, file_case  # noqa: F401
from tests.plugins.classroom.conftest import room  # noqa: F401
from tests.plugins.disputes.conftest import file_dispute

EXPECTED = {
    "core.visits": {
        "total": {"households": 3, "visited": 2, "coverage": 0.6667},
        1: {"households": 2, "visited": 1, "coverage": 0.5},
        2: {"households": 1, "visited": 1, "coverage": 1.0},
    },
    "core.notices": {
        "total": {"targeted": 3, "reached": 1, "reach": 0.3333},
        1: {"targeted": 2, "reached": 1, "reach": 0.5},
        2: {"targeted": 1, "reached": 0, "reach": 0.0},
    },
    "core.cases": {
        "total": {
            "filed": 6,
            "open": 3,
            "overdue": 1,
            "resolved": 3,
            "resolved_in_grid": 2,
            "in_grid_rate": 0.6667,
        },
        1: {
            "filed": 3,
            "open": 1,
            "overdue": 0,
            "resolved": 2,
            "resolved_in_grid": 2,
            "in_grid_rate": 1.0,
        },
        2: {
            "filed": 3,
            "open": 2,
            "overdue": 1,
            "resolved": 1,
            "resolved_in_grid": 0,
            "in_grid_rate": 0.0,
        },
    },
    "core.campaigns": {
        "total": {"targets": 3, "settled": 1, "overdue": 2, "progress": 0.3333},
        1: {"targets": 2, "settled": 1, "overdue": 1, "progress": 0.5},
        2: {"targets": 1, "settled": 0, "overdue": 1, "progress": 0.0},
    },
    "disputes.month": {
        "total": {
            "raised": 2,
            "resolved": 1,
            "open": 1,
            "resolution_rate": 0.5,
            "within_grid": 1.0,
        },
        1: {"raised": 1, "resolved": 1, "open": 0, "resolution_rate": 1.0, "within_grid": 1.0},
        2: {"raised": 1, "resolved": 0, "open": 1, "resolution_rate": 0.0, "within_grid": None},
    },
    "employment.seekers": {
        "total": {"looking": 1, "placed": 0, "registered": 1},
        1: {"looking": 1, "placed": 0, "registered": 1},
        2: {"looking": 0, "placed": 0, "registered": 0},
    },
    "elderly.canteen": {
        "total": {"eligible": 1, "served": 1, "coverage": 1.0},
        1: {"eligible": 0, "served": 0, "coverage": None},
        2: {"eligible": 1, "served": 1, "coverage": 1.0},
    },
    "classroom.children": {
        "total": {"children": 2, "priority": 1, "waiting": 0},
        1: {"children": 1, "priority": 1, "waiting": 0},
        2: {"children": 1, "priority": 0, "waiting": 0},
    },
}


@pytest.fixture
def town(world, built_service, checklist, hazard_service, room):  # noqa: F811
    from plugins.classroom.care import enrol
    from plugins.disputes.handling import resolve
    from plugins.elderly.canteen import check_in
    from plugins.employment.models import JobSeeker

    today = timezone.localdate()
    committee, worker = world.users["committee"], world.users["grid_worker"]
    world.household3 = f.HouseholdFactory(building=world.building1, room="102")
    f.VisitFactory(
        household=world.household3,
        visitor=worker,
        visited_on=today.replace(day=1) - datetime.timedelta(days=1),
    )

    notice = publish_notice()
    delivery.record(notice, world.household1.pk, "in_person", worker)

    file_case(built_service, household=world.household1)  # A
    b = file_case(built_service, household=world.household1)
    transition(b, Status.ACCEPTED, worker)
    transition(Case.objects.get(pk=b.pk), Status.RESOLVED, worker)
    c = file_case(built_service, household=world.household2, name="李大红", phone="13987654321")
    escalate(c, actor=committee, reason="大事")
    transition(Case.objects.get(pk=c.pk), Status.RESOLVED, committee)
    d = file_case(built_service, household=world.household2, name="李大红", phone="13987654321")
    past = timezone.now() - datetime.timedelta(hours=1)
    Case.objects.filter(pk=d.pk).update(accept_due=past, resolve_due=past)

    dispute1 = file_dispute(world.household1)
    resolve(dispute1, committee)
    file_dispute(world.household2, name="李大红", phone="13987654321")

    campaign = make_campaign(world, checklist=checklist, case_service=hazard_service)
    round_ = rounds.start_round(campaign)
    Round.objects.filter(pk=round_.pk).update(
        starts_on=today - datetime.timedelta(days=10), due_on=today - datetime.timedelta(days=1)
    )
    target = Target.objects.get(round=round_, household=world.household1)
    record_answer(target, worker, outcome=Outcome.DONE, record_visit=False)

    JobSeeker.objects.create(resident=world.resident1)
    elder = f.ResidentFactory(
        household=world.household2,
        name="赵奶奶",
        birth_date=today.replace(year=today.year - 80) - datetime.timedelta(days=3),
        relation="parent",
    )
    check_in(elder, today, by=committee)
    enrol(room.klass, room.child1, consent_by="王大力", by=committee)
    enrol(room.klass, room.child2, consent_by="李大红", by=committee)
    world.notice = notice
    return world
