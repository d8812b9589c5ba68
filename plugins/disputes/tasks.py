from celery import shared_task


@shared_task(name="disputes.remind_follow_ups")
def remind_follow_ups() -> int:
    """Daily: each settled dispute whose follow-up (回访) is due reminds its case's holder
    in the app (and by e-mail if they gave an address), once per due date. Returns how
    many disputes' holders were reminded."""
    from anju import notify

    from .handling import FOLLOW_UP_TEMPLATE, due_follow_ups

    queued = 0
    due = due_follow_ups().select_related("case").exclude(case__assignee=None)
    for dispute in due.iterator(chunk_size=500):
        created = notify.to_user(
            dispute.case.assignee_id,
            template=FOLLOW_UP_TEMPLATE,
            payload={"reference": dispute.reference},
            dedup_key=f"disputes:follow_up:{dispute.pk}:{dispute.follow_up_due:%Y%m%d}",
            community=dispute.case.community_id,
        )
        queued += created > 0
    return queued
