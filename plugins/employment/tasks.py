from celery import shared_task


@shared_task(name="employment.notify_matching_seekers")
def notify_matching_seekers(posting_id: int) -> int:
    """Tell the job seekers matching a posting about it (one SMS each, never twice)."""
    from .matching import notify_matching_seekers as notify
    from .models import JobPostingPage

    posting = JobPostingPage.objects.live().filter(pk=posting_id).first()
    return notify(posting) if posting is not None else 0
