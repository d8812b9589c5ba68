"""A past month's board gives that month's figures as of its end, not as of now:
hand-counted cases whose state changed after the month, a campaign round answered
after it, a notice reached after it (see the README's dashboard section)."""

import datetime

import pytest
from django.utils import timezone

from anju.campaigns import rounds
from anju.campaigns.answering import record_answer
from anju.campaigns.models import Outcome, Round, Target
from anju.dashboard.board import add_months, build_board
from anju.services.models import Case, CaseEvent, Status
from anju.services.workflow import transition
from tests.platform.services.conftest import file_case

from .test_figures import figures, subset

pytestmark = pytest.mark.django_db


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def backdate(case, filed, changed=None, **fields):
    """``case`` filed at ``filed``; its timeline up to now moved there too, except the
    changes made after ``changed`` (None: all of them moved)."""
    events = CaseEvent.objects.filter(case=case)
    if changed is not None:
        events = events.filter(created_at__lt=changed)
    events.update(created_at=filed)
    Case.objects.filter(pk=case.pk).update(created_at=filed, **fields)


def test_last_months_cases_are_counted_as_they_stood_at_its_end(world, built_service):
    worker = world.users["grid_worker"]
    this_month = timezone.localdate().replace(day=1)
    last_month = add_months(this_month, -1)
    before_now = timezone.now() - datetime.timedelta(seconds=1)

    # A: filed last month, resolved only now: open at the month's end.
    a = file_case(built_service, household=world.household1)
    backdate(a, at(last_month.replace(day=10)))
    mark = timezone.now()
    transition(Case.objects.get(pk=a.pk), Status.ACCEPTED, worker)
    transition(Case.objects.get(pk=a.pk), Status.RESOLVED, worker)
    CaseEvent.objects.filter(case=a, created_at__gte=mark).update(created_at=timezone.now())
    # B: filed and resolved last month, in the grid.
    b = file_case(built_service, household=world.household1)
    transition(b, Status.ACCEPTED, worker)
    transition(Case.objects.get(pk=b.pk), Status.RESOLVED, worker)
    resolved = at(last_month.replace(day=20))
    backdate(b, at(last_month.replace(day=12)), resolved_at=resolved, updated_at=resolved)
    # C: filed last month, never accepted, due on the 6th: open and overdue then.
    c = file_case(built_service, household=world.household1)
    backdate(
        c,
        at(last_month.replace(day=5)),
        accept_due=at(last_month.replace(day=6)),
        resolve_due=at(last_month.replace(day=8)),
        updated_at=at(last_month.replace(day=5)),
    )
    # D: filed on the month's last day, due after it: open, not overdue then.
    d = file_case(built_service, household=world.household1)
    last_day = this_month - datetime.timedelta(days=1)
    backdate(
        d,
        at(last_day, 20),
        accept_due=at(this_month, 20) + datetime.timedelta(days=1),
        resolve_due=at(this_month, 20) + datetime.timedelta(days=3),
        updated_at=at(last_day, 20),
    )
    # E: filed this month: not in last month's figures at all.
    file_case(built_service, household=world.household1)
    assert before_now < timezone.now()

    board = build_board(world.users["committee"], world.community, last_month)
    expected = {
        "filed": 4,  # A B C D
        "open": 3,  # A C D (A is resolved now, but was open at the month's end)
        "overdue": 1,  # C
        "resolved": 1,  # B
        "resolved_in_grid": 1,
    }
    found = figures(board, "core.cases")
    assert subset(found["total"], expected) == expected
    assert subset(found[1], expected) == expected
    # This month: A resolved, E filed; C and D still open, both overdue by now? C is.
    now = figures(build_board(world.users["committee"], world.community), "core.cases")
    assert subset(now["total"], {"filed": 1, "open": 3, "resolved": 1}) == {
        "filed": 1,
        "open": 3,  # C, D, E
        "resolved": 1,  # A
    }


def test_last_months_campaign_and_notice_figures_ignore_later_answers(
    world, checklist, hazard_service
):
    from anju.notices import delivery
    from anju.notices.models import NoticeDelivery, NoticePage
    from tests.platform.campaigns.conftest import make_campaign
    from tests.platform.delivery.test_delivery import publish_notice

    worker, committee = world.users["grid_worker"], world.users["committee"]
    this_month = timezone.localdate().replace(day=1)
    last_month = add_months(this_month, -1)
    campaign = make_campaign(world, checklist=checklist, case_service=hazard_service)
    round_ = rounds.start_round(campaign)
    Round.objects.filter(pk=round_.pk).update(
        starts_on=last_month.replace(day=2), due_on=last_month.replace(day=20)
    )
    targets = Target.objects.filter(round=round_, active=True)
    total = targets.count()
    assert total >= 2
    first, second = targets.order_by("pk")[:2]
    # One answered last month, one only now.
    record_answer(first, committee, outcome=Outcome.DONE, record_visit=False)
    Target.objects.filter(pk=first.pk).update(answered_at=at(last_month.replace(day=15)))
    record_answer(second, committee, outcome=Outcome.DONE, record_visit=False)

    board = build_board(world.users["committee"], world.community, last_month)
    found = figures(board, "core.campaigns")["total"]
    assert subset(found, {"targets": total, "settled": 1, "overdue": total - 1}) == {
        "targets": total,
        "settled": 1,  # the second was settled after the month
        "overdue": total - 1,  # everything owed at the month's end, past the 20th
    }
    now = figures(build_board(world.users["committee"], world.community), "core.campaigns")
    assert now["total"]["settled"] == 2

    notice = publish_notice()
    NoticePage.objects.filter(pk=notice.pk).update(first_published_at=at(last_month.replace(day=3)))
    delivery.record(notice, world.household1.pk, "in_person", worker)
    delivery.record(notice, world.household2.pk, "in_person", committee)
    NoticeDelivery.objects.filter(household=world.household1).update(
        reached_at=at(last_month.replace(day=4))
    )
    reach = figures(
        build_board(world.users["committee"], world.community, last_month), "core.notices"
    )
    assert reach["total"]["reached"] == 1  # household 2 was reached after the month
