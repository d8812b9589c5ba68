"""The notification tasks. Each is safe to run any number of times."""

from celery import shared_task

from . import outbox


@shared_task(name="notify.deliver_message")
def deliver_message(message_id: int) -> str:
    """Send one outbox message if it is still pending (anju.notify.outbox.deliver)."""
    return outbox.deliver(message_id)


@shared_task(name="notify.deliver_batch")
def deliver_batch(message_ids: list[int]) -> dict[str, int]:
    """Send a batch of a fan-out's messages, those still pending (outbox.deliver_many);
    returns how many were sent, retried, failed and skipped."""
    return outbox.deliver_many(message_ids)


@shared_task(name="notify.deliver_pending")
def deliver_pending(limit: int = 10_000) -> int:
    """Re-send pending messages whose task was lost; beat runs it every few minutes."""
    return outbox.redeliver_stale(limit=limit)
