from celery import shared_task


@shared_task(name="elderly.raise_welfare_checks")
def raise_welfare_checks() -> int:
    """Weekdays after lunch: open a welfare check for each elder living alone who usually
    eats at the canteen and has neither come nor booked for two working days."""
    from .welfare import raise_checks

    return raise_checks()
