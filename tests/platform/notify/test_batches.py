"""A fan-out delivered in batches (``outbox.deliver_many``, the ``notify.deliver_batch``
task): one task per NOTIFY_DELIVERY_BATCH messages on the bulk queue; a batch sent in
one transaction by the backends that only write rows here, a transaction per message by
the others; each message with its own outcome, retries and failures (tasks run
in-process here; tests/platform/notify/test_worker.py has the real worker)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju import notify
from anju.notify import outbox
from anju.notify.models import Message, SmsLog, Status

from . import backends
from .test_outbox import PAYLOAD

pytestmark = pytest.mark.django_db

TESTS = "tests.platform.notify.backends"


def fan_out(count, prefix="notice:1", send=False, payload=PAYLOAD):
    """``count`` SMS of one fan-out (phones 1390000xxxx); their pks, in order."""
    recipients = [
        {"key": f"resident:{i}", "channel": "sms", "phone": f"1390000{i:04d}"} for i in range(count)
    ]
    notify.fan_out(
        recipients,
        template="notices.published",
        payload=payload,
        dedup_prefix=prefix,
        send=send,
    )
    return list(
        Message.objects.filter(dedup_key__startswith=f"{prefix}:")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def statuses(ids):
    return list(Message.objects.filter(pk__in=ids).order_by("pk").values_list("status", flat=True))


def test_a_fan_out_goes_to_the_bulk_queue_in_batches(
    settings,
    django_capture_on_commit_callbacks,
    sent_tasks,
):
    settings.NOTIFY_DELIVERY_BATCH = 4
    with django_capture_on_commit_callbacks(execute=True):
        ids = fan_out(10, send=True)
    assert [(batch, queue) for batch, _countdown, queue in sent_tasks.batches] == [
        (ids[:4], settings.NOTIFY_BULK_QUEUE),
        (ids[4:8], settings.NOTIFY_BULK_QUEUE),
        (ids[8:], settings.NOTIFY_BULK_QUEUE),
    ]
    assert settings.NOTIFY_BULK_QUEUE != settings.CELERY_TASK_DEFAULT_QUEUE
    assert statuses(ids) == [Status.SENT] * 10
    assert SmsLog.objects.count() == 10
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    assert not Message.objects.filter(sent_at__isnull=True).exists()


def test_a_single_message_is_not_sent_in_a_batch(
    django_capture_on_commit_callbacks,
    sent_tasks,
):
    with django_capture_on_commit_callbacks(execute=True):
        message, _created = notify.enqueue(
            channel="sms", phone="13800001234", template="notices.published", payload=PAYLOAD,
            dedup_key="code:1",
        )  # fmt: skip
    assert sent_tasks == [(message.pk, None)] and sent_tasks.batches == []


def test_a_batch_costs_the_same_queries_whatever_its_size():
    small, large = fan_out(3, prefix="notice:1"), fan_out(40, prefix="notice:2")
    with CaptureQueriesContext(connection) as for_small:
        assert outbox.deliver_many(small) == {"sent": 3}
    with CaptureQueriesContext(connection) as for_large:
        assert outbox.deliver_many(large) == {"sent": 40}
    assert len(for_small) == len(for_large) <= 7  # lock, insert the log, mark sent
    assert SmsLog.objects.count() == 43


def test_a_batch_delivered_twice_sends_once():
    ids = fan_out(5)
    assert outbox.deliver_many(ids) == {"sent": 5}
    assert outbox.deliver_many(ids) == {"skipped": 5}
    assert outbox.deliver_many([*ids, 999_999]) == {"skipped": 6}  # one is gone
    assert SmsLog.objects.count() == 5
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}


def test_in_a_batch_each_message_fails_or_is_retried_on_its_own(
    settings,
    django_capture_on_commit_callbacks,
    sent_tasks,
):
    settings.NOTIFY_BACKENDS = {"sms": f"{TESTS}.TemporaryForSomeSmsBackend"}
    ids = fan_out(12)  # phones ...0000 to ...0011: two end in 1
    broken = fan_out(1, prefix="notice:2", payload={"title": "停水"})  # cannot render
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = outbox.deliver_many(ids + broken)
    assert outcome == {"sent": 10, "retry": 2, "failed": 1}
    retried = [ids[1], ids[11]]
    messages = {m.pk: m for m in Message.objects.all()}
    assert {pk for pk, m in messages.items() if m.status == Status.PENDING} == set(retried)
    assert all(messages[pk].last_error == "TemporaryFailure: throttled" for pk in retried)
    assert messages[broken[0]].status == Status.FAILED
    assert messages[broken[0]].last_error.startswith("TemplateError:")
    assert set(SmsLog.objects.values_list("message_id", flat=True)) == set(ids) - set(retried)
    assert {m.attempts for m in messages.values()} == {1}
    # The two retried go back together, after the backoff, on the bulk queue.
    for callback in callbacks:
        callback()
    assert sent_tasks.batches[0] == (retried, 30, settings.NOTIFY_BULK_QUEUE)


@pytest.mark.parametrize(
    "backend, committed",
    [
        # The SMS log sends in the batch's transaction: the kill takes the whole batch.
        ("CrashingLogSmsBackend", 0),
        # An outside provider: each message is committed as it goes; the kill takes only
        # the one in hand.
        ("CrashingProviderSmsBackend", 3),
    ],
)
def test_a_batch_killed_half_way_is_sent_once_by_the_next_task(settings, backend, committed):
    settings.NOTIFY_BACKENDS = {"sms": f"{TESTS}.{backend}"}
    backends._Crashing.handed_over = []
    backends._Crashing.crash_at = 4
    ids = fan_out(8)
    with pytest.raises(backends.Killed):
        outbox.deliver_many(ids)
    assert len(backends._Crashing.handed_over) == 3  # the fourth killed the worker
    assert statuses(ids) == [Status.SENT] * committed + [Status.PENDING] * (8 - committed)
    assert SmsLog.objects.count() == committed

    # The task again (Celery hands an unacknowledged task to the next worker).
    backends._Crashing.crash_at = 0
    expected = {"sent": 8 - committed} | ({"skipped": committed} if committed else {})
    assert outbox.deliver_many(ids) == expected
    assert statuses(ids) == [Status.SENT] * 8
    assert sorted(SmsLog.objects.values_list("message_id", flat=True)) == ids


def test_a_batch_of_every_channel_goes_each_by_its_backend(world):
    from django.core import mail

    user = world.users["resident"]
    notify.fan_out(
        [
            {"key": "a", "channel": "in_app", "user_id": user.pk},
            {"key": "a", "channel": "email", "user_id": user.pk, "email": "a@example.cn"},
            {"key": "b", "channel": "sms", "phone": "13900000001"},
        ],
        template="notices.published",
        payload=PAYLOAD,
        dedup_prefix="notice:9",
        send=False,
    )
    ids = list(Message.objects.order_by("pk").values_list("pk", flat=True))
    assert outbox.deliver_many(ids) == {"sent": 3}
    assert statuses(ids) == [Status.SENT] * 3
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]
    assert SmsLog.objects.get().phone == "13900000001"
    assert list(Message.objects.inbox(user).values_list("channel", flat=True)) == ["in_app"]
