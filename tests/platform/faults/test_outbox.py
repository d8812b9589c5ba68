"""The transactional outbox (anju.core.outbox) for a notice's fan-out: recorded with the
publish, handed on after commit, run in resumable steps, swept until done — so a broker
down at publish, or a worker dying mid-step, delays the messages and never loses or
doubles one. Tasks run in-process here; test_worker_killed.py does it with real workers."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from anju.community.models import Resident
from anju.core import outbox
from anju.core.models import OutboxTask
from anju.core.tasks import sweep_outbox
from anju.notify.models import Message, SmsLog, Status
from anju.notify.tasks import deliver_pending
from tests.platform.notify.conftest import draft_notice, make_households, make_residents

from .conftest import broker_unreachable

pytestmark = pytest.mark.django_db


def a_minute_passes():
    OutboxTask.objects.update(due_at=timezone.now() - timedelta(seconds=1))


def assert_each_once(page):
    targeted = set(Resident.objects.filter(phone__isnull=False).values_list("pk", flat=True))
    keys = Message.objects.filter(dedup_key__startswith=f"notice:{page.pk}:").values_list(
        "dedup_key", flat=True
    )
    per_resident = Counter(int(key.split(":")[3]) for key in keys)
    assert set(per_resident) == targeted, "a resident was missed"
    assert max(per_resident.values()) == 1, "a resident messaged twice"
    assert SmsLog.objects.count() == len(targeted)
    assert not Message.objects.exclude(status=Status.SENT).exists()


@pytest.fixture
def residents(world):
    make_residents(make_households(world.building1, 5), 33)  # with world's 2: 35


def test_a_notice_published_while_the_broker_is_down_goes_out_when_it_is_back(
    residents, settings, django_capture_on_commit_callbacks
):
    page = draft_notice()
    with broker_unreachable(settings), django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()  # no exception: the publish stands
    page.refresh_from_db()
    assert page.live
    row = OutboxTask.objects.get()
    assert row.state == OutboxTask.State.PENDING and row.attempts == 0
    assert not Message.objects.exists()

    # The sweep leaves it for the grace period, in case a worker is about to take it...
    assert sweep_outbox.apply().get() == 0
    # ...then (a minute later), with the broker back, hands it on: every resident gets
    # one message.
    a_minute_passes()
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_outbox.apply().get() == 1
    row.refresh_from_db()
    assert row.state == OutboxTask.State.DONE and row.done_at
    assert_each_once(page)
    # Sweeping again sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_outbox.apply().get() == 0
    assert_each_once(page)


def test_the_fan_out_runs_in_steps_and_a_step_lost_with_its_worker_is_redone(
    residents, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.NOTICES_FAN_OUT_STEP = 10
    page = draft_notice()
    # Published while the broker is down, so nothing runs by itself: the test drives
    # each step as a worker would.
    with broker_unreachable(settings), django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
        row = OutboxTask.objects.get()
        assert outbox.run(row.pk) == "resumed"  # step 1: ten residents
    row.refresh_from_db()
    assert row.steps == 1 and row.kwargs["after"] > 0
    assert Message.objects.count() == 10

    # A worker takes step 2 and is killed before it says so (it holds the lease).
    settings.OUTBOX_LEASE = 300
    assert outbox._claim(row.pk) is not None
    assert outbox.run(row.pk) == "skipped"  # another worker must not run it meanwhile
    assert sweep_outbox.apply().get() == 0  # the lease has not run out: not lost yet

    # Five minutes later the lease has run out: the sweep hands the step on, and the
    # rest follows, step after step.
    OutboxTask.objects.filter(pk=row.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1),
        due_at=timezone.now() - timedelta(seconds=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_outbox.apply().get() == 1
    row.refresh_from_db()
    assert row.state == OutboxTask.State.DONE
    assert row.steps == 4  # 35 residents, 10 a step
    # Step 1's messages were made while the broker was down: notify's own sweep sends
    # them (and nothing twice).
    assert Message.objects.filter(status=Status.PENDING).count() == 10
    settings.NOTIFY_REDELIVER_AFTER = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_pending.apply().get() == 10
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_pending.apply().get() == 0
    assert_each_once(page)


def test_a_failing_step_is_retried_later_then_given_up(world, settings, monkeypatch):
    calls = []

    @outbox.register("tests.flaky")
    def flaky(**kwargs):
        calls.append(kwargs)
        raise RuntimeError("provider down")

    settings.OUTBOX_MAX_ATTEMPTS = 2
    row = outbox.schedule("tests.flaky", n=1)
    assert outbox.run(row.pk) == "retry"
    row.refresh_from_db()
    assert row.state == OutboxTask.State.PENDING and "provider down" in row.last_error
    assert row.due_at > row.created_at  # backs off
    assert outbox.run(row.pk) == "failed"
    row.refresh_from_db()
    assert row.state == OutboxTask.State.FAILED
    assert outbox.run(row.pk) == "skipped" and len(calls) == 2


def test_scheduling_an_unknown_handler_fails_loudly(db):
    with pytest.raises(LookupError):
        outbox.schedule("nobody.knows")
