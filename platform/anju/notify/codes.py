"""One-time codes sent by SMS: issuing and checking them.

Used for signing residents in on the portal (anju.residents) and for the consent a
resident gives when staff file on their behalf (代办, anju.services.consent). Codes are
six digits, sent through the outbox, stored only as a keyed hash (``OneTimeCode``),
valid ``RESIDENTS_CODE_TTL`` seconds (300), used once, and void after
``RESIDENTS_CODE_MAX_TRIES`` wrong tries (5). A phone gets at most
``RESIDENTS_CODES_PER_HOUR`` codes an hour per purpose (5), counted in the database so
the limit holds without Redis; views add a per-address limit (django-ratelimit).

Nothing here tells whether a phone belongs to anyone: every failure reads the same.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import OneTimeCode


class CodeError(Exception):
    """A code that cannot be issued or accepted; ``str()`` is for the person."""


def code_ttl() -> int:
    return int(getattr(settings, "RESIDENTS_CODE_TTL", 300))


def max_tries() -> int:
    return int(getattr(settings, "RESIDENTS_CODE_MAX_TRIES", 5))


def codes_per_hour() -> int:
    return int(getattr(settings, "RESIDENTS_CODES_PER_HOUR", 5))


def phone_key(phone: str) -> str:
    """The phone as the codes table knows it: a keyed digest (community.phone_digest)."""
    from anju.community.models import phone_digest

    return phone_digest(phone)


def code_hash(digest: str, purpose: str, subject: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    message = f"{purpose}:{digest}:{subject}:{code.strip()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def issue_code(
    phone: str,
    purpose: str,
    *,
    template: str,
    subject: str = "",
    payload: dict | None = None,
) -> OneTimeCode:
    """Make a new code for ``phone`` (voiding the earlier unused ones for the same
    purpose and subject) and queue its SMS with ``template`` (the payload gets ``code``
    and ``minutes``). Raises CodeError when the phone has had too many codes this hour."""
    from anju.community.models import normalise_phone

    from .outbox import enqueue

    digest = phone_key(phone)
    now = timezone.now()
    with transaction.atomic():
        recent = OneTimeCode.objects.select_for_update().filter(
            purpose=purpose, phone_digest=digest, created_at__gte=now - timedelta(hours=1)
        )
        if len(recent) >= codes_per_hour():
            raise CodeError(
                _("Too many codes have been asked for this number. Please try again in an hour.")
            )
        OneTimeCode.objects.filter(
            purpose=purpose, phone_digest=digest, subject=subject, used_at__isnull=True
        ).update(used_at=now)
        code = f"{secrets.randbelow(10**6):06d}"
        otp = OneTimeCode.objects.create(
            purpose=purpose,
            phone_digest=digest,
            subject=subject,
            code_hash=code_hash(digest, purpose, subject, code),
            created_at=now,
            expires_at=now + timedelta(seconds=code_ttl()),
        )
        enqueue(
            channel="sms",
            phone=normalise_phone(phone),
            template=template,
            payload={**(payload or {}), "code": code, "minutes": code_ttl() // 60},
            dedup_key=f"codes:{otp.pk}",
        )
    return otp


def check_code(phone: str, code: str, purpose: str, *, subject: str = "") -> OneTimeCode:
    """Accept ``code`` for ``phone`` (and use it up), or raise CodeError saying why."""
    digest = phone_key(phone)
    now = timezone.now()
    error = None
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(purpose=purpose, phone_digest=digest, subject=subject, used_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        if otp is None or otp.expires_at <= now or otp.tries >= max_tries():
            error = _("This code has expired or was not sent. Ask for a new one.")
        elif not hmac.compare_digest(otp.code_hash, code_hash(digest, purpose, subject, code)):
            # Counted in this transaction, which commits: the error is raised after it.
            otp.tries += 1
            otp.save(update_fields=["tries"])
            left = max_tries() - otp.tries
            if left <= 0:
                error = _("Wrong code too many times. Ask for a new one.")
            else:
                error = _("The code is not right. You can try %(count)d more time(s).") % {
                    "count": left
                }
        else:
            otp.used_at = now
            otp.save(update_fields=["used_at"])
    if error:
        raise CodeError(error)
    return otp
