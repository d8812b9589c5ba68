"""The services engine's Celery tasks ("services.<verb_noun>")."""

from celery import shared_task


@shared_task(name="services.sweep_overdue")
def sweep_overdue() -> dict:
    """Escalate overdue cases (beat: every five minutes). Safe to run twice at once:
    batches are locked with SKIP LOCKED."""
    from .sla import sweep_overdue as sweep

    return sweep().as_dict()
