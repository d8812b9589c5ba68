"""The activity centre: sign-up with capacity and a waiting list, attendance."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from .models import Activity, SignUp


class SignUpError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def sign_up(activity: Activity, resident) -> SignUp:
    """A place if one is free, else the waiting list. The activity's row is locked so
    two sign-ups for the last place cannot both get it."""
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        existing = SignUp.objects.filter(activity=locked, resident_id=resident.pk).first()
        if existing is not None and existing.status != SignUp.Status.CANCELLED:
            raise SignUpError(
                _("%(name)s has already signed up for this activity.") % {"name": resident.name}
            )
        taken = SignUp.objects.filter(activity=locked, status=SignUp.Status.CONFIRMED).count()
        status = SignUp.Status.CONFIRMED if taken < locked.capacity else SignUp.Status.WAITING
        if existing is not None:
            existing.status = status
            existing.save(update_fields=["status"])
            return existing
        return SignUp.objects.create(activity=locked, resident_id=resident.pk, status=status)


def cancel(signup: SignUp) -> SignUp | None:
    """Cancel a sign-up; the first on the waiting list takes a freed place. Returns the
    promoted sign-up, if any."""
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=signup.activity_id)
        was_confirmed = (
            SignUp.objects.filter(pk=signup.pk, status=SignUp.Status.CONFIRMED).update(
                status=SignUp.Status.CANCELLED
            )
            > 0
        )
        SignUp.objects.filter(pk=signup.pk).update(status=SignUp.Status.CANCELLED)
        if not was_confirmed:
            return None
        first = (
            SignUp.objects.filter(activity=activity, status=SignUp.Status.WAITING)
            .order_by("created_at", "id")
            .first()
        )
        if first is not None:
            SignUp.objects.filter(pk=first.pk).update(status=SignUp.Status.CONFIRMED)
            first.status = SignUp.Status.CONFIRMED
        return first


def record_attendance(activity: Activity, present_ids) -> None:
    present = {int(pk) for pk in present_ids}
    signups = SignUp.objects.filter(activity=activity, status=SignUp.Status.CONFIRMED)
    signups.filter(pk__in=present).update(attended=True)
    signups.exclude(pk__in=present).update(attended=False)
