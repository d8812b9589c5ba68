"""Notices' Celery tasks: telling the targeted residents that a notice is out.

The messages themselves belong to the notification layer (anju.notify), which sits below
this one: notices call it, never the reverse.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from celery import shared_task
from django.conf import settings

from anju import notify
from anju.community.models import ResidentLink
from anju.core import outbox

from .models import NoticePage

logger = logging.getLogger("anju.notices")

#: The notification template the fan-out uses (registered by NoticesConfig.ready()).
NOTICE_TEMPLATE = "notices.published"
#: Residents read per query while fanning out.
RESIDENT_BATCH = 500
#: Residents per step of the fan-out (setting NOTICES_FAN_OUT_STEP): a worker killed
#: mid-way redoes at most one step.
FAN_OUT_STEP = 500
#: The outbox handler a publish records (anju.notices.signals).
FAN_OUT_HANDLER = "notices.fan_out"


def dedup_prefix(page_id: int) -> str:
    return f"notice:{page_id}"


def notice_payload(page: NoticePage) -> dict:
    return {
        "title": page.title,
        "summary": page.summary,
        "url": page.get_full_url() or page.get_url() or "",
    }


def notice_recipients(
    page: NoticePage,
    batch_size: int = RESIDENT_BATCH,
    after_pk: int = 0,
    upto_pk: int | None = None,
) -> Iterator[dict]:
    """Who hears of the notice: each targeted resident, read in pk order a batch at a
    time (never the whole list in memory); only residents whose pk is over ``after_pk``
    and at most ``upto_pk``, if given (one step of the fan-out). A resident whose portal
    account is linked (community.ResidentLink, confirmed — their own, or a family
    member's acting for them) is told in the app, and by e-mail when the account has an
    address; one without an account gets an SMS if they have a phone. An account linked
    to several targeted residents gets one message (its key is the account's)."""
    residents = page.targeted_residents().order_by("pk")
    if upto_pk is not None:
        residents = residents.filter(pk__lte=upto_pk)
    last_pk = after_pk
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


def _step_window(page: NoticePage, after_pk: int, size: int) -> list[int]:
    """The pks of the next ``size`` targeted residents after ``after_pk``."""
    return list(
        page.targeted_residents()
        .filter(pk__gt=after_pk)
        .order_by("pk")
        .values_list("pk", flat=True)[:size]
    )


@outbox.register(FAN_OUT_HANDLER)
def fan_out_step(page_id: int, after: int = 0, step: int | None = None):
    """One step of a notice's fan-out: messages for the next ``FAN_OUT_STEP`` targeted
    residents after resident ``after``. Returns ``outbox.Resume`` with the cursor while
    residents remain, else how many messages this step created. Safe to run twice: a
    resident who has the message already gets nothing new."""
    page = NoticePage.objects.live().filter(pk=page_id).first()
    if page is None:
        logger.info("Notice %s is not live: no messages.", page_id)
        return 0
    size = step or int(getattr(settings, "NOTICES_FAN_OUT_STEP", FAN_OUT_STEP))
    window = _step_window(page, after, size)
    if not window:
        return 0
    created = notify.fan_out(
        notice_recipients(page, after_pk=after, upto_pk=window[-1]),
        template=NOTICE_TEMPLATE,
        payload=notice_payload(page),
        dedup_prefix=dedup_prefix(page.pk),
        community=page.audience_community_id(),
    )
    if len(window) < size:
        return created
    return outbox.Resume({"page_id": page_id, "after": window[-1], "step": size}, created)


@shared_task(name="notices.fan_out_notice")
def fan_out_notice(page_id: int) -> int:
    """The whole fan-out of a notice in one task, step after step; returns how many
    messages were created. Publishing records the fan-out in the outbox instead, which
    runs the same steps one task each (``fan_out_step``); this is for operators and
    tests. Safe to re-run: a resident who already has this notice's message gets
    nothing new."""
    kwargs: dict = {"page_id": page_id}
    created = 0
    while True:
        result = fan_out_step(**kwargs)
        if not isinstance(result, outbox.Resume):
            return created + (result or 0)
        created += result.result or 0
        kwargs = result.kwargs
