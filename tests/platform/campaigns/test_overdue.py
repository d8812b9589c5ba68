"""Overdue rounds: the grid worker who still owes visits is told first; a day later the
committee members of the grids concerned. Batched, locked with SKIP LOCKED, idempotent."""

import datetime

import pytest
from django.utils import timezone

from anju.campaigns import tasks
from anju.campaigns.models import Outcome, Round, Target
from anju.campaigns.overdue import sweep_overdue
from anju.notify.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(world, round_):
    Round.objects.filter(pk=round_.pk).update(
        starts_on=datetime.date(2026, 1, 1), due_on=datetime.date(2026, 1, 31)
    )
    return round_


def messages(template):
    return list(Message.objects.filter(template=template).order_by("user_id"))


def test_the_worker_then_the_committee(world, late):
    now = timezone.make_aware(datetime.datetime(2026, 2, 2, 9))
    result = sweep_overdue(now)
    assert result.rounds_to_workers == 1 and result.rounds_to_committee == 0
    [to_worker] = messages("campaigns.overdue_worker")
    assert to_worker.user == world.users["grid_worker"] and to_worker.payload["count"] == 1
    assert not messages("campaigns.overdue_committee")
    # Again the same day: nothing new.
    assert sweep_overdue(now).messages == 0
    # A day later, still overdue: the committee of the grids concerned.
    result = sweep_overdue(now + datetime.timedelta(hours=25))
    assert result.rounds_to_committee == 1
    [to_committee] = messages("campaigns.overdue_committee")
    assert to_committee.user == world.users["committee"]
    assert to_committee.payload["count"] == 1 and to_committee.payload["grids"] == "第一网格"
    assert sweep_overdue(now + datetime.timedelta(hours=50)).messages == 0


def test_nothing_when_all_is_settled_or_the_round_closed(world, late):
    Target.objects.filter(round=late).update(outcome=Outcome.DONE)
    now = timezone.make_aware(datetime.datetime(2026, 2, 2, 9))
    assert sweep_overdue(now).messages == 0
    Round.objects.filter(pk=late.pk).update(status=Round.Status.CLOSED, workers_notified_at=None)
    assert sweep_overdue(now).rounds_to_workers == 0


def test_the_beat_task_sweeps_in_batches(world, late, settings):
    settings.CAMPAIGNS_OVERDUE_BATCH_SIZE = 1
    result = tasks.sweep_overdue.delay().get()
    assert result["rounds_to_workers"] == 1
