"""The classroom's rules: who may come, enrolment with a waiting list, check-in and
check-out at the door with the guardians' SMS, calls for absent children, class notices.

Eligibility reads the core register only: a child's age from the resident's birth date,
"parents working away" from the built-in special group 外出务工 on a member of the
household, "left-behind child" from the group 留守儿童 on the child.

``enrol`` and ``cancel`` lock the class row (``select_for_update``) for the count and
the change, so two enrolments at the same moment on PostgreSQL never take a class over
its capacity. ``check_in`` is idempotent (one attendance row per child and day, a unique
constraint); every SMS has a dedup key, so each guardian gets each message exactly once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anju import notify
from anju.community import Resident, SpecialGroup

from .models import (
    Attendance,
    CallTask,
    ClassGroup,
    ClassNotice,
    Enrolment,
    Guardian,
    PickupFlag,
)

ARRIVED = "classroom.arrived"
PICKED_UP = "classroom.picked_up"
PLACE = "classroom.place"
NOTICE = "classroom.notice"


class ClassroomError(Exception):
    """A refused change; ``str()`` is the translated reason."""


class PickupRefused(ClassroomError):
    """The person at the door is not on the child's pick-up list (flagged)."""


def plugin_settings() -> dict:
    return apps.get_app_config("classroom").settings


# --- eligibility -------------------------------------------------------------------------


@dataclass
class Eligibility:
    ok: bool
    priority: bool = False
    reason: str = ""


def age_on(child: Resident, on: datetime.date) -> int:
    born = child.birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def has_priority(child: Resident) -> bool:
    """Whether the child is a left-behind child, or a member of their household works
    away (the core register's special groups). One query."""
    return Resident.objects.filter(
        Q(pk=child.pk, groups__code=SpecialGroup.MIGRANT_CHILD)
        | Q(household_id=child.household_id, groups__code=SpecialGroup.MIGRANT_WORKER)
    ).exists()


def eligibility(child: Resident, klass: ClassGroup, on: datetime.date | None = None) -> Eligibility:
    """Whether ``child`` may be enrolled in ``klass``, and with priority; the reason in
    the user's language when not."""
    on = on or timezone.localdate()
    config = plugin_settings()
    if child.community_id != klass.term.community_id:
        return Eligibility(False, reason=_("The classroom is for children of this community."))
    age = age_on(child, max(on, klass.term.starts_on))
    low, high = config["min_age"], config["max_age"]
    if not low <= age <= high:
        return Eligibility(
            False,
            reason=_(
                "%(name)s is %(age)d years old: the classroom takes children from %(low)d "
                "to %(high)d."
            )
            % {"name": child.name, "age": age, "low": low, "high": high},
        )
    if klass.term.ends_on < on:
        return Eligibility(False, reason=_("This term is over."))
    return Eligibility(True, priority=has_priority(child))


# --- enrolment and the waiting list -----------------------------------------------------


def _locked(klass: ClassGroup) -> ClassGroup:
    return ClassGroup.objects.select_for_update().select_related("term").get(pk=klass.pk)


def enrolled_count(klass: ClassGroup) -> int:
    return klass.enrolments.filter(status=Enrolment.Status.ENROLLED).count()


@transaction.atomic
def enrol(
    klass: ClassGroup,
    child: Resident,
    *,
    consent_by: str,
    by=None,
    case=None,
    reference: str = "",
) -> Enrolment:
    """Enrol ``child``: a place while places remain, else the waiting list (children
    with parents away first when a place frees). Never over the capacity."""
    if not consent_by.strip():
        raise ClassroomError(_("Record who gave the guardian's consent."))
    locked = _locked(klass)
    verdict = eligibility(child, locked)
    if not verdict.ok:
        raise ClassroomError(verdict.reason)
    if (
        Enrolment.objects.filter(klass=locked, child=child)
        .exclude(status=Enrolment.Status.CANCELLED)
        .exists()
    ):
        raise ClassroomError(_("%(name)s is already in this class.") % {"name": child.name})
    status = (
        Enrolment.Status.ENROLLED
        if enrolled_count(locked) < locked.capacity
        else Enrolment.Status.WAITING
    )
    return Enrolment.objects.create(
        klass=locked,
        child=child,
        status=status,
        priority=verdict.priority,
        consent_by=consent_by.strip(),
        consent_at=timezone.now(),
        enrolled_by=by if getattr(by, "is_authenticated", False) else None,
        case=case,
        reference=reference,
    )


def waiting_order(queryset):
    return queryset.annotate(
        _rank=Case(
            When(priority=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("_rank", "created_at", "pk")


@transaction.atomic
def cancel(enrolment: Enrolment) -> Enrolment | None:
    """Cancel ``enrolment``; a place it held goes to the first on the waiting list (who
    is told by SMS). Returns the promoted enrolment, if any."""
    locked = _locked(enrolment.klass)
    fresh = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if fresh.status == Enrolment.Status.CANCELLED:
        return None
    held = fresh.status == Enrolment.Status.ENROLLED
    fresh.status = Enrolment.Status.CANCELLED
    fresh.save(update_fields=["status"])
    enrolment.status = fresh.status
    if not held or enrolled_count(locked) >= locked.capacity:
        return None
    first = (
        waiting_order(
            Enrolment.objects.select_for_update().filter(
                klass=locked, status=Enrolment.Status.WAITING
            )
        )
        .select_related("child")
        .first()
    )
    if first is None:
        return None
    first.status = Enrolment.Status.ENROLLED
    first.save(update_fields=["status"])
    for guardian in Guardian.objects.filter(child_id=first.child_id).exclude(phone=None):
        notify.enqueue(
            channel="sms",
            phone=guardian.phone,
            template=PLACE,
            payload={"child": first.child.name, "klass": locked.title},
            dedup_key=f"classroom:enrolment:{first.pk}:place:{guardian.pk}",
            community=locked.term.community_id,
        )
    return first


# --- the door: check-in and check-out --------------------------------------------------


def _clock(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _tell_guardians(enrolment: Enrolment, template: str, payload: dict, key: str) -> int:
    """SMS to every guardian of the child with a phone (at home and working away), once;
    the message is the child's community's."""
    sent = 0
    for guardian in Guardian.objects.filter(child_id=enrolment.child_id).exclude(phone=None):
        _message, created = notify.enqueue(
            channel="sms",
            phone=guardian.phone,
            template=template,
            payload=payload,
            dedup_key=f"{key}:guardian:{guardian.pk}",
            community=enrolment.child.community_id,
        )
        sent += created
    return sent


def check_in(enrolment: Enrolment, *, by=None, now: datetime.datetime | None = None):
    """The child arrived. Returns ``(attendance, created)``; a second tap changes
    nothing and sends nothing."""
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise ClassroomError(_("Only enrolled children can be checked in."))
    now = now or timezone.now()
    day = timezone.localdate(now)
    try:
        with transaction.atomic():
            attendance, created = Attendance.objects.get_or_create(
                enrolment=enrolment,
                day=day,
                defaults={"checked_in_at": now, "checked_in_by": by},
            )
            if created:
                _tell_guardians(
                    enrolment,
                    ARRIVED,
                    {"child": enrolment.child.name, "time": _clock(now)},
                    f"classroom:attendance:{attendance.pk}:in",
                )
    except IntegrityError:  # a concurrent tap made the row first
        return Attendance.objects.get(enrolment=enrolment, day=day), False
    return attendance, created


def check_out(
    enrolment: Enrolment,
    *,
    guardian: Guardian | None = None,
    person: str = "",
    by=None,
    now: datetime.datetime | None = None,
) -> Attendance:
    """The child leaves with ``guardian`` (on the pick-up list). Anyone else is refused
    and the attempt flagged for staff (``PickupRefused``)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    allowed = (
        guardian is not None
        and guardian.child_id == enrolment.child_id
        and guardian.may_pick_up
        and Guardian.objects.filter(pk=guardian.pk, may_pick_up=True).exists()
    )
    if not allowed:
        who = (person or (guardian.name if guardian else "")).strip() or _("(not named)")
        PickupFlag.objects.create(enrolment=enrolment, at=now, person=who[:100], recorded_by=by)
        raise PickupRefused(
            _(
                "%(person)s is not on %(child)s's pick-up list: do not let the child go. "
                "Staff have been alerted."
            )
            % {"person": who, "child": enrolment.child.name}
        )
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update().filter(enrolment=enrolment, day=day).first()
        )
        if attendance is None:
            raise ClassroomError(
                _("%(child)s was not checked in today.") % {"child": enrolment.child.name}
            )
        if attendance.checked_out_at is not None:
            return attendance  # a double tap
        attendance.checked_out_at = now
        attendance.picked_up_by = guardian
        attendance.save(update_fields=["checked_out_at", "picked_up_by"])
        with translation.override(settings.LANGUAGE_CODE):
            who = str(guardian.get_relation_display())
        _tell_guardians(
            enrolment,
            PICKED_UP,
            {"child": enrolment.child.name, "who": who, "time": _clock(now)},
            f"classroom:attendance:{attendance.pk}:out",
        )
    return attendance


# --- absences -----------------------------------------------------------------------------


def flag_absences(now: datetime.datetime | None = None) -> int:
    """A call task for every enrolled child of a class meeting today who has not arrived
    by the class's start plus its grace minutes. Idempotent: one task per child a day."""
    now = timezone.localtime(now or timezone.now())
    day = now.date()
    created = 0
    classes = ClassGroup.objects.filter(term__starts_on__lte=day, term__ends_on__gte=day)
    for klass in classes.select_related("term"):
        if not klass.meets_on(day):
            continue
        due = datetime.datetime.combine(day, klass.starts_at, tzinfo=now.tzinfo)
        if now < due + datetime.timedelta(minutes=klass.absent_after_minutes):
            continue
        absent = (
            Enrolment.objects.filter(klass=klass, status=Enrolment.Status.ENROLLED)
            .exclude(attendance__day=day)
            .exclude(calls__day=day)
            .values_list("pk", flat=True)
        )
        tasks = [CallTask(enrolment_id=pk, day=day, created_at=now) for pk in absent]
        if tasks:
            CallTask.objects.bulk_create(tasks, ignore_conflicts=True)
            created += len(tasks)
    return created


# --- class notices --------------------------------------------------------------------------


@transaction.atomic
def send_notice(klass: ClassGroup, text: str, *, by=None) -> ClassNotice:
    """A notice to the guardians of the children enrolled in ``klass``: an SMS each
    (one per phone), and in the app for guardians with an account."""
    text = text.strip()
    if not text:
        raise ClassroomError(_("Write the notice first."))
    notice = ClassNotice.objects.create(klass=klass, text=text, sent_by=by)
    guardians = Guardian.objects.filter(
        child_id__in=Enrolment.objects.filter(klass=klass, status=Enrolment.Status.ENROLLED).values(
            "child_id"
        )
    ).order_by("pk")
    payload = {"klass": klass.title, "text": text}
    community_id = klass.term.community_id
    phones: set[str] = set()
    users: set[int] = set()
    for guardian in guardians:
        if guardian.phone and guardian.phone not in phones:
            phones.add(guardian.phone)
            notify.enqueue(
                channel="sms",
                phone=guardian.phone,
                template=NOTICE,
                payload=payload,
                dedup_key=f"classroom:notice:{notice.pk}:sms:{guardian.phone_last4}:{guardian.pk}",
                community=community_id,
            )
        if guardian.user_id and guardian.user_id not in users:
            users.add(guardian.user_id)
            notify.enqueue(
                channel="in_app",
                user=guardian.user_id,
                template=NOTICE,
                payload=payload,
                dedup_key=f"classroom:notice:{notice.pk}:app:{guardian.user_id}",
                community=community_id,
            )
    notice.recipients = len(phones | {f"u{pk}" for pk in users})
    notice.save(update_fields=["recipients"])
    return notice
