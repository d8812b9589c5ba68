"""Through a real Celery worker on Redis, on the real database: a notice's fan-out ends
with every targeted resident sent exactly one SMS, even when the worker is killed
(SIGKILL) half-way and a fresh one takes over.

Run with PostgreSQL and Redis::

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/anju_notify \\
        REDIS_URL=redis://127.0.0.1:6379/0 CELERY_BROKER_URL=redis://127.0.0.1:6379/1
"""

import ast
import re
import time
from collections import Counter

import pytest

from anju import notify
from anju.community.models import Resident
from anju.notices.models import Audience
from anju.notices.tasks import fan_out_notice
from anju.notify.models import Message, SmsLog, Status
from anju.notify.tasks import deliver_pending
from tests.factories import BuildingFactory

from .conftest import (
    WORKER_SETTINGS,
    broker,
    draft_notice,
    make_households,
    make_residents,
    publish,
    queue_length,
    queues,
    unacked_count,
    wait_for,
)

# serialized_rollback: a transactional test that follows one with serialized rollback
# (the browser tests) would otherwise find the database flushed, permissions and all.
pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


#: Messages per delivery task in the tests with a killed worker.
BATCH = 50


def batch_outcomes(log: str) -> Counter:
    """What the worker's ``notify.deliver_batch`` tasks did, added up from its log."""
    total: Counter = Counter()
    for result in re.findall(
        r"Task notify\.deliver_batch\[[^\]]+\] succeeded in [\d.]+s: (\{.*\})", log
    ):
        total.update(ast.literal_eval(result))
    return total


def resident_id(dedup_key: str) -> int:
    return int(dedup_key.split(":")[3])


def assert_exactly_once(page, targeted: dict[int, str]):
    """Every targeted resident: one message, sent, and one SMS log row to their phone."""
    keys = list(
        Message.objects.filter(dedup_key__startswith=f"notice:{page.pk}:").values_list(
            "dedup_key", flat=True
        )
    )
    per_resident = Counter(resident_id(key) for key in keys)
    assert set(per_resident) == set(targeted), "a resident was missed, or an outsider messaged"
    assert max(per_resident.values()) == 1, "a resident has two messages"
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}
    logs = list(SmsLog.objects.values_list("message__dedup_key", "phone"))
    logged = Counter(resident_id(key) for key, _phone in logs)
    assert set(logged) == set(targeted) and max(logged.values()) == 1, "an SMS sent twice"
    assert all(phone == targeted[resident_id(key)] for key, phone in logs)


def fan_outs_finished(worker) -> int:
    """Fan-outs a publish recorded (anju.core.outbox) that the worker finished."""
    log = worker.log.read_text(errors="replace")
    return len(
        re.findall(r"Task anju\.run_outbox_task\[[^\]]+\] succeeded in [\d.]+s: 'done'", log)
    )


def test_a_notice_reaches_a_few_hundred_residents_through_the_worker(world, celery_worker):
    households = make_households(world.building1, 30)
    make_residents(households, 280)
    make_residents(households, 20, with_phone=False)
    outsiders = make_residents(make_households(world.building2, 5), 40)  # grid 2
    targeted = dict(
        Resident.objects.filter(
            household__building__grid=world.grid1, phone__isnull=False
        ).values_list("pk", "phone")
    )
    assert len(targeted) == 281  # world.resident1 too

    page = draft_notice(audience=Audience.GRIDS, audience_grids=[world.grid1])
    publish(page)  # committed: the fan-out goes to the worker now

    wait_for(
        lambda: (
            SmsLog.objects.count() >= len(targeted)
            and not Message.objects.filter(status=Status.PENDING).exists()
        ),
        timeout=120,
        message="every message sent",
    )
    wait_for(lambda: fan_outs_finished(celery_worker) == 1, message="the fan-out task")
    assert_exactly_once(page, targeted)
    assert not Message.objects.filter(
        dedup_key__in=[f"notice:{page.pk}:resident:{r.pk}:sms" for r in outsiders]
    ).exists()

    # A new revision is published: the fan-out runs again and sends nobody anything.
    page.title = "停水通知（更新）"
    publish(page)
    wait_for(lambda: fan_outs_finished(celery_worker) == 2, message="the second fan-out")
    wait_for(lambda: queue_length(celery_worker.queue) == 0, message="an empty queue")
    assert_exactly_once(page, targeted)


def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(
    world, celery_worker, start_worker, settings
):
    grid_buildings = [BuildingFactory(grid=world.grid1, name=f"N{i}号楼") for i in range(4)]
    households = [h for b in grid_buildings for h in make_households(b, 25)]
    make_residents(households, 2000)
    # The notice is for everyone: the 2000 and world's two residents.
    targeted = dict(Resident.objects.filter(phone__isnull=False).values_list("pk", "phone"))
    # Workers keep their database connection between tasks (faster, nothing else). The
    # fan-out in one step, so it is done before the kill: this test is about deliveries
    # (tests/platform/faults/test_worker_killed.py kills a worker mid fan-out).
    env = {
        "DJANGO_SETTINGS_MODULE": WORKER_SETTINGS,
        "CONN_MAX_AGE": "60",
        "NOTICES_TEST_FAN_OUT_STEP": "5000",
        "NOTIFY_TEST_DELIVERY_BATCH": str(BATCH),
    }

    # A worker that takes 10 ms more per SMS, killed (SIGKILL) mid-flight.
    celery_worker.stop()
    slow = start_worker("slow", NOTIFY_TEST_SMS_DELAY="0.01", **env)
    page = publish(draft_notice())
    wait_for(lambda: SmsLog.objects.count() >= 300, timeout=120, message="300 SMS sent")
    slow.kill()
    lost = unacked_count(slow.queue)  # the tasks it had taken: gone with it
    assert lost >= 1

    sent = Message.objects.filter(status=Status.SENT).count()
    assert 300 <= sent < len(targeted), "killed too late to prove anything"
    # The SMS log row and the "sent" mark commit together: the crash split neither.
    assert SmsLog.objects.count() == sent

    # The task the killed worker was running went with it (Redis gives it back only
    # after an hour), and the queue still holds the rest. The fan-out task redelivered:
    # it must create nothing.
    fan_out_notice.delay(page.pk)
    # Beat's sweep, run while the queue is still full (before any worker takes from it:
    # batches go fast) and told that anything pending is lost: 200 messages that do have
    # a task waiting get a second one.
    settings.NOTIFY_REDELIVER_AFTER = 0
    assert deliver_pending.apply(kwargs={"limit": 200}).get() == 200
    # A fresh worker.
    fresh = start_worker("fresh", NOTIFY_TEST_REDELIVER_AFTER="1", **env)

    def settled():
        if Message.objects.filter(status=Status.PENDING).exists():
            if queue_length(fresh.queue) == 0:
                # Nothing left to run, yet something is pending: its task was lost. The
                # worker's own sweep (pending for over a second) sends it again.
                deliver_pending.delay()
                time.sleep(1.5)
            return False
        return queue_length(fresh.queue) == 0

    wait_for(settled, timeout=180, interval=0.5, message="every message sent, queue empty")
    assert Message.objects.count() == len(targeted)
    assert_exactly_once(page, targeted)
    log = fresh.log.read_text(errors="replace")
    assert re.search(r"Task notices\.fan_out_notice\[[^\]]+\] succeeded in [\d.]+s: 0", log)
    # The second tasks found their messages sent already and did nothing, but for those
    # whose first task (a batch) was lost with the killed worker: those the second sent.
    assert batch_outcomes(log)["skipped"] >= 200 - lost * BATCH


def test_a_worker_killed_mid_batch_leaves_the_batch_to_be_sent_once(
    world, celery_worker, start_worker, settings
):
    """The default SMS backend sends a batch in one transaction: the kill rolls back
    what the batch had handed over, and the batch goes out once, later, whole."""
    households = make_households(world.building1, 20)
    make_residents(households, 600)
    targeted = dict(Resident.objects.filter(phone__isnull=False).values_list("pk", "phone"))
    key = f"anju-test-handed-over-{celery_worker.queue}"
    counter = broker()
    counter.delete(key)
    env = {
        "DJANGO_SETTINGS_MODULE": WORKER_SETTINGS,
        "NOTICES_TEST_FAN_OUT_STEP": "5000",
        "NOTIFY_TEST_DELIVERY_BATCH": "200",
        "NOTIFY_TEST_HANDOVER_KEY": key,
    }
    celery_worker.stop()
    slow = start_worker("slow-batches", NOTIFY_TEST_SMS_DELAY="0.02", **env)
    page = publish(draft_notice())
    wait_for(lambda: SmsLog.objects.count() >= 200, timeout=120, message="a batch sent")

    def handed_over() -> int:
        return int(counter.get(key) or 0)

    # Mid-way through the second batch: more handed over than committed.
    wait_for(lambda: handed_over() >= 240, timeout=60, message="half a batch more")
    slow.kill()
    committed = SmsLog.objects.count()
    assert committed == Message.objects.filter(status=Status.SENT).count()
    assert committed % 200 == 0 and committed < len(targeted)
    assert handed_over() > committed, "killed between batches: proves nothing"
    assert unacked_count(slow.queue) >= 1  # the batch it held, gone with it

    fresh = start_worker("after-the-kill", NOTIFY_TEST_REDELIVER_AFTER="1", **env)

    def settled():
        if Message.objects.filter(status=Status.PENDING).exists():
            if queue_length(fresh.queue) == 0:
                deliver_pending.delay()  # beat's sweep: the lost batch is sent again
                time.sleep(1.5)
            return False
        return queue_length(fresh.queue) == 0

    wait_for(settled, timeout=180, interval=0.5, message="every message sent, queue empty")
    assert_exactly_once(page, targeted)
    counter.delete(key)


def test_a_single_message_is_not_held_up_behind_a_fan_out(
    world, celery_worker, start_worker, settings
):
    """A big fan-out's batches wait on the bulk queue; a message someone is waiting for
    (a sign-in code) on the default queue is taken next, not after the fan-out."""
    households = make_households(world.building1, 20)
    make_residents(households, 1500)
    env = {
        "DJANGO_SETTINGS_MODULE": WORKER_SETTINGS,
        "NOTICES_TEST_FAN_OUT_STEP": "5000",
        "NOTIFY_TEST_DELIVERY_BATCH": "50",
    }
    celery_worker.stop()
    worker = start_worker("busy", NOTIFY_TEST_SMS_DELAY="0.01", **env)
    publish(draft_notice())
    wait_for(lambda: SmsLog.objects.count() >= 100, timeout=120, message="the fan-out going")
    bulk = queues(worker.queue)[1]
    assert broker().llen(bulk) >= 10  # batches waiting their turn

    code, _created = notify.enqueue(
        channel="sms",
        phone="13800009999",
        template="notices.published",
        payload={"title": "验证码", "summary": "123456", "url": ""},
        dedup_key="test:sign-in-code",
    )
    wait_for(
        lambda: Message.objects.filter(pk=code.pk, status=Status.SENT).exists(),
        timeout=60,
        message="the code sent",
    )
    # Sent while most of the fan-out still waits.
    assert Message.objects.filter(status=Status.PENDING).count() > 500
    assert broker().llen(bulk) >= 5
