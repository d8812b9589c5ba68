"""Notices' Celery tasks: telling the targeted residents that a notice is out.

The messages themselves belong to the notification layer (anju.notify), which sits below
this one: notices call it, never the reverse.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from celery import shared_task

from anju import notify

from .models import NoticePage

logger = logging.getLogger("anju.notices")

#: The notification template the fan-out uses (registered by NoticesConfig.ready()).
NOTICE_TEMPLATE = "notices.published"
#: Residents read per query while fanning out.
RESIDENT_BATCH = 500


def dedup_prefix(page_id: int) -> str:
    return f"notice:{page_id}"


def notice_payload(page: NoticePage) -> dict:
    return {
        "title": page.title,
        "summary": page.summary,
        "url": page.get_full_url() or page.get_url() or "",
    }


def notice_recipients(page: NoticePage, batch_size: int = RESIDENT_BATCH) -> Iterator[dict]:
    """The targeted residents who have a phone, as SMS recipients, read in pk order a
    batch at a time (never the whole list in memory).

    Residents have no user accounts yet; once they do, yield an in-app recipient too:
    ``{"key": f"resident:{pk}", "channel": "in_app", "user_id": user_pk}``.
    """
    residents = page.targeted_residents().filter(phone__isnull=False).order_by("pk")
    last_pk = 0
    while True:
        rows = list(residents.filter(pk__gt=last_pk).values_list("pk", "phone")[:batch_size])
        if not rows:
            return
        for pk, phone in rows:
            if phone:
                yield {"key": f"resident:{pk}", "channel": "sms", "phone": phone}
        last_pk = rows[-1][0]


@shared_task(name="notices.fan_out_notice")
def fan_out_notice(page_id: int) -> int:
    """One SMS per targeted resident with a phone for a published notice; returns how many
    messages were created. Safe to re-run (after a crash, on every republish): a
    resident who already has this notice's message gets nothing new."""
    page = NoticePage.objects.live().filter(pk=page_id).first()
    if page is None:
        logger.info("Notice %s is not live: no messages.", page_id)
        return 0
    return notify.fan_out(
        notice_recipients(page),
        template=NOTICE_TEMPLATE,
        payload=notice_payload(page),
        dedup_prefix=dedup_prefix(page.pk),
    )
