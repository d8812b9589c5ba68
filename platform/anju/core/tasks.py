"""The core's own Celery tasks. Task names are "anju.<verb_noun>"."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="anju.ping")
def ping(payload: str = "pong") -> str:
    """Echo ``payload``: lets tests and operators prove a worker is consuming the queue."""
    return payload


@shared_task(name="anju.publish_scheduled_pages")
def publish_scheduled_pages() -> None:
    """Publish and expire Wagtail pages whose go-live or expiry time has passed.

    Wagtail does this only when ``manage.py publish_scheduled`` runs; beat runs this task
    every minute (settings.CELERY_BEAT_SCHEDULE). It is safe to run twice.
    """
    call_command("publish_scheduled")


@shared_task(name="anju.run_outbox_task")
def run_outbox_task(pk: int) -> str:
    """One step of a recorded background task (anju.core.outbox.run). Safe to receive
    twice: a row done, or held by another worker, is skipped."""
    from . import outbox

    return outbox.run(pk)


@shared_task(name="anju.sweep_outbox")
def sweep_outbox(limit: int = 1000) -> int:
    """Hand on recorded background tasks that are past due: never sent (the broker was
    down), lost with a killed worker, or waiting to retry. Beat runs it every minute."""
    from . import outbox

    return outbox.sweep(limit=limit)
