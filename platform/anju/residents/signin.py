"""Signing a resident in by phone: the SMS code (anju.notify.codes), the account made
on first use, and the link to the register (linking)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from anju.community.models import normalise_phone, phone_digest
from anju.notify.codes import CodeError, check_code, issue_code
from anju.notify.models import OneTimeCode
from anju.permissions import lockout

from .models import ResidentAccount
from .notifications import SIGN_IN_CODE

__all__ = ["CodeError", "send_code", "sign_in", "account_for_phone", "lockout_username"]


def send_code(phone: str) -> OneTimeCode:
    """Send a sign-in code to ``phone``, registered or not (CodeError when too many)."""
    return issue_code(phone, OneTimeCode.Purpose.SIGN_IN, template=SIGN_IN_CODE)


def lockout_username(phone: str) -> str:
    """The name failed sign-ins with ``phone`` are counted under (login lockout): the
    username of the account the phone signs in to, so a success resets the count and
    the lockout list never shows a phone number."""
    return lockout.phone_username(phone)


def account_for_phone(phone: str, *, create: bool = True):
    """The portal user who signs in with ``phone``, made on first use (a resident with
    no password and no admin access)."""
    from django.contrib.auth.models import Group

    from anju.permissions import roles

    digest = phone_digest(phone)
    account = ResidentAccount.objects.select_related("user").filter(phone_digest=digest).first()
    if account is not None:
        return account.user
    if not create:
        return None
    User = get_user_model()
    with transaction.atomic():
        user = User(username=lockout_username(phone), is_staff=False)
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get_or_create(name=roles.RESIDENT.name)[0])
        ResidentAccount.objects.create(user=user, phone=normalise_phone(phone), phone_digest=digest)
    return user


def sign_in(phone: str, code: str):
    """Check the code and return the account to log in (linked to the register where
    the phone says who it is). Raises CodeError."""
    from .linking import link_on_sign_in

    check_code(phone, code, OneTimeCode.Purpose.SIGN_IN)
    user = account_for_phone(phone)
    ResidentAccount.objects.filter(user=user).update(last_sign_in_at=timezone.now())
    link_on_sign_in(user, phone)
    return user
