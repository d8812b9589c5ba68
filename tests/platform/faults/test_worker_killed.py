"""A worker killed (SIGKILL) in the middle of a notice's fan-out to 1,849 phones: after a
fresh worker starts and beat's sweeps run, every resident has exactly one SMS — in
seconds, not the hour Redis takes to give back a task a dead worker held.

Real workers on the Redis broker, on the real database (tests/conftest.py's
``celery_worker``; more workers from tests/platform/notify/conftest.py).
"""

import time
from collections import Counter

import pytest

from anju.community.models import Resident
from anju.core.models import OutboxTask
from anju.core.tasks import sweep_outbox
from anju.notify.models import Message, SmsLog, Status
from anju.notify.tasks import deliver_pending
from tests.factories import BuildingFactory
from tests.platform.notify.conftest import (
    WORKER_SETTINGS,
    draft_notice,
    make_households,
    make_residents,
    publish,
    queue_length,
    start_worker,  # noqa: F401
    wait_for,
)

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def assert_exactly_once(page, targeted: dict[int, str]):
    keys = Message.objects.filter(dedup_key__startswith=f"notice:{page.pk}:").values_list(
        "dedup_key", flat=True
    )
    per_resident = Counter(int(key.split(":")[3]) for key in keys)
    assert set(per_resident) == set(targeted), "a resident was missed"
    assert max(per_resident.values()) == 1, "a resident has two messages"
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}
    logs = Counter(
        int(key.split(":")[3])
        for key in SmsLog.objects.values_list("message__dedup_key", flat=True)
    )
    assert set(logs) == set(targeted) and max(logs.values()) == 1, "an SMS sent twice"


def test_a_worker_killed_mid_fan_out_delays_but_never_loses_or_doubles(
    world,
    celery_worker,
    start_worker,  # noqa: F811
):
    buildings = [BuildingFactory(grid=world.grid1, name=f"K{i}号楼") for i in range(4)]
    households = [h for b in buildings for h in make_households(b, 25)]
    make_residents(households, 1847)
    targeted = dict(Resident.objects.filter(phone__isnull=False).values_list("pk", "phone"))
    assert len(targeted) == 1849
    env = {
        "DJANGO_SETTINGS_MODULE": WORKER_SETTINGS,
        "CONN_MAX_AGE": "60",
        "NOTICES_TEST_FAN_OUT_STEP": "100",  # 19 steps
        # Short enough to prove the point, long enough that a task merely waiting in the
        # queue is not taken for lost (production: 120 s, 60 s and 600 s).
        "OUTBOX_TEST_LEASE": "5",
        "OUTBOX_TEST_GRACE": "10",
        "NOTIFY_TEST_REDELIVER_AFTER": "20",
    }
    celery_worker.stop()
    slow = start_worker("slow", NOTIFY_TEST_SMS_DELAY="0.005", **env)
    page = publish(draft_notice())
    wait_for(lambda: Message.objects.count() >= 300, timeout=120, message="300 messages")
    slow.kill()

    row = OutboxTask.objects.get()
    made = Message.objects.count()
    assert row.state == OutboxTask.State.PENDING, "killed too late: the fan-out had finished"
    assert 300 <= made < len(targeted)
    assert SmsLog.objects.count() == Message.objects.filter(status=Status.SENT).count()

    started = time.monotonic()
    fresh = start_worker("fresh", **env)

    def settled():
        # Beat, every few seconds here (every minute in production).
        sweep_outbox.delay()
        deliver_pending.delay()
        time.sleep(3)
        row.refresh_from_db()
        return (
            row.state == OutboxTask.State.DONE
            and not Message.objects.filter(status=Status.PENDING).exists()
            and Message.objects.count() == len(targeted)
            and queue_length(fresh.queue) == 0
        )

    wait_for(settled, timeout=240, interval=0.1, message="every message sent")
    assert time.monotonic() - started < 200
    assert row.steps == 19
    assert_exactly_once(page, targeted)
