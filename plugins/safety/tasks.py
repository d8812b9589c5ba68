from celery import shared_task


@shared_task(name="safety.escalate_overdue_hazards")
def escalate_overdue_hazards() -> int:
    """The last step of the ladder, for hazards the engine's "overdue" signal did not
    carry over (no partner organisation yet at the time, a failed receiver): every open
    hazard overdue at community level goes to its partner organisation. Handing over
    twice changes nothing, so running this often is harmless."""
    from anju.services import Level

    from .handling import escalate_to_partner
    from .models import Hazard

    hazards = Hazard.objects.overdue().filter(case__level=Level.COMMUNITY).select_related("case")
    return escalate_to_partner(hazards)
