"""One-time SMS codes: issuing, checking, and signing a resident in by phone.

Codes are six digits, sent through the notify outbox (the SMS log in development),
stored only as a keyed hash, valid ``RESIDENTS_CODE_TTL`` seconds (300), used once,
and void after ``RESIDENTS_CODE_MAX_TRIES`` wrong tries (5). A phone gets at most
``RESIDENTS_CODES_PER_HOUR`` codes an hour (5), counted in the database so the limit
holds without Redis; the views add a per-address limit (django-ratelimit).

Nothing here tells whether a phone is registered: a code is sent to any valid mobile
number, and every failure reads the same for a registered and an unknown phone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anju import notify
from anju.community.models import normalise_phone, phone_digest

from .models import OneTimeCode, ResidentAccount
from .notifications import SIGN_IN_CODE


class CodeError(Exception):
    """A code that cannot be issued or accepted; ``str()`` is for the resident."""


def code_ttl() -> int:
    return int(getattr(settings, "RESIDENTS_CODE_TTL", 300))


def max_tries() -> int:
    return int(getattr(settings, "RESIDENTS_CODE_MAX_TRIES", 5))


def codes_per_hour() -> int:
    return int(getattr(settings, "RESIDENTS_CODES_PER_HOUR", 5))


def code_hash(digest: str, purpose: str, subject: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    message = f"{purpose}:{digest}:{subject}:{code.strip()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def issue_code(
    phone: str,
    purpose: str = OneTimeCode.Purpose.SIGN_IN,
    *,
    subject: str = "",
    template: str = SIGN_IN_CODE,
    payload: dict | None = None,
) -> OneTimeCode:
    """Make a new code for ``phone`` (voiding the earlier unused ones) and queue its SMS.
    Raises CodeError when the phone has had too many codes this hour."""
    digest = phone_digest(phone)
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
        notify.enqueue(
            channel="sms",
            phone=normalise_phone(phone),
            template=template,
            payload={**(payload or {}), "code": code, "minutes": code_ttl() // 60},
            dedup_key=f"residents:code:{otp.pk}",
        )
    return otp


def check_code(
    phone: str, code: str, purpose: str = OneTimeCode.Purpose.SIGN_IN, *, subject: str = ""
) -> OneTimeCode:
    """Accept ``code`` for ``phone`` (and use it up), or raise CodeError saying why."""
    digest = phone_digest(phone)
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


def account_for_phone(phone: str, *, create: bool = True):
    """The portal user who signs in with ``phone``, made on first use (a resident with
    no password and no admin access)."""
    from anju.permissions import roles

    digest = phone_digest(phone)
    account = ResidentAccount.objects.select_related("user").filter(phone_digest=digest).first()
    if account is not None:
        return account.user
    if not create:
        return None
    User = get_user_model()
    with transaction.atomic():
        user = User(username=f"resident-{digest[:16]}", is_staff=False)
        user.set_unusable_password()
        user.save()
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get_or_create(name=roles.RESIDENT.name)[0])
        ResidentAccount.objects.create(user=user, phone=normalise_phone(phone), phone_digest=digest)
    return user


def sign_in(phone: str, code: str):
    """Check the code and return the account to log in (linked to the register where
    the phone says who it is). Raises CodeError."""
    from .linking import link_on_sign_in

    check_code(phone, code)
    user = account_for_phone(phone)
    ResidentAccount.objects.filter(user=user).update(last_sign_in_at=timezone.now())
    link_on_sign_in(user, phone)
    return user
