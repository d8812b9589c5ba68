"""The campaigns engine's Celery tasks ("campaigns.<verb_noun>")."""

from celery import shared_task


@shared_task(name="campaigns.start_due_rounds")
def start_due_rounds() -> list[int]:
    """Start every round whose day has come (beat: hourly). Idempotent."""
    from .rounds import start_due_rounds as start

    return [round_.pk for round_ in start()]


@shared_task(name="campaigns.sweep_overdue")
def sweep_overdue() -> dict:
    """Tell grid workers, then the committee, of overdue rounds (beat: hourly)."""
    from .overdue import sweep_overdue as sweep

    return sweep().as_dict()
