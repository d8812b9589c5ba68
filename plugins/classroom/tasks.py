from celery import shared_task


@shared_task(name="classroom.flag_absences")
def flag_absences() -> int:
    """Call tasks for children expected but not arrived (beat, every 10 minutes)."""
    from .care import flag_absences as flag

    return flag()
