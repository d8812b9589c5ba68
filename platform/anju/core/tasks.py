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
