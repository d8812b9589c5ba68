"""Notices' Celery tasks: telling the targeted residents that a notice is out.

The messages themselves belong to the notification layer (anju.notify), which sits below
this one: notices call it, never the reverse.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from celery import shared_task

from anju import notify
from anju.community.models import ResidentLink

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
    """Who hears of the notice: each targeted resident, read in pk order a batch at a
    time (never the whole list in memory). A resident whose portal account is linked
    (community.ResidentLink, confirmed — their own, or a family member's acting for
    them) is told in the app, and by e-mail when the account has an address; one
    without an account gets an SMS if they have a phone. An account linked to several
    targeted residents gets one message (its key is the account's)."""
    residents = page.targeted_residents().order_by("pk")
    last_pk = 0
    while True:
        rows = list(residents.filter(pk__gt=last_pk).values_list("pk", "phone")[:batch_size])
        if not rows:
            return
        accounts: dict[int, list[tuple[int, str]]] = {}
        links = ResidentLink.objects.confirmed().filter(
            resident_id__in=[pk for pk, _phone in rows], user__is_active=True
        )
        for resident_id, user_id, email in links.values_list(
            "resident_id", "user_id", "user__email"
        ):
            accounts.setdefault(resident_id, []).append((user_id, email))
        for pk, phone in rows:
            if pk in accounts:
                for user_id, email in accounts[pk]:
                    yield {"key": f"user:{user_id}", "channel": "in_app", "user_id": user_id}
                    if email:
                        yield {
                            "key": f"user:{user_id}",
                            "channel": "email",
                            "user_id": user_id,
                            "email": email,
                        }
            elif phone:
                yield {"key": f"resident:{pk}", "channel": "sms", "phone": phone}
        last_pk = rows[-1][0]


@shared_task(name="notices.fan_out_notice")
def fan_out_notice(page_id: int) -> int:
    """One message per targeted resident (in the app for linked accounts, else an SMS
    to a resident with a phone) for a published notice; returns how many were created.
    Safe to re-run (after a crash, on every republish): a resident who already has this
    notice's message gets nothing new."""
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
