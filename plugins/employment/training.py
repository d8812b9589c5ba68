"""Enrolment on training courses with a waiting list.

``enrol`` puts a resident on the course while places remain, on the waiting list
after; ``cancel`` frees a place and gives it to the first on the waiting list. Both lock
the course row (``select_for_update``) for the count and the change, so two staff
enrolling at the same moment on PostgreSQL never put the course over its capacity.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anju import notify

from .models import Attendance, Course, CourseSession, Enrolment

PLACE_FREED_TEMPLATE = "employment.course_place"


class EnrolmentError(Exception):
    """A refused change; ``str()`` is the translated reason."""


def _locked_course(course: Course) -> Course:
    return Course.objects.select_for_update().get(pk=course.pk)


def enrolled_count(course: Course) -> int:
    return course.enrolments.filter(
        status__in=(Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)
    ).count()


@transaction.atomic
def enrol(course: Course, resident, *, by=None) -> Enrolment:
    """Enrol ``resident``: a place if one is free, else the waiting list."""
    locked = _locked_course(course)
    existing = (
        Enrolment.objects.filter(course=locked, resident=resident)
        .exclude(status=Enrolment.Status.CANCELLED)
        .first()
    )
    if existing is not None:
        raise EnrolmentError(_("%(name)s is already on this course.") % {"name": resident.name})
    status = (
        Enrolment.Status.ENROLLED
        if enrolled_count(locked) < locked.capacity
        else Enrolment.Status.WAITING
    )
    return Enrolment.objects.create(
        course=locked, resident=resident, status=status, enrolled_by=by, created_at=timezone.now()
    )


@transaction.atomic
def cancel(enrolment: Enrolment) -> Enrolment | None:
    """Cancel ``enrolment``; if it held a place, the first on the waiting list gets it
    (and an SMS). Returns the promoted enrolment, if any."""
    locked = _locked_course(enrolment.course)
    fresh = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if fresh.status == Enrolment.Status.CANCELLED:
        return None
    held_place = fresh.status == Enrolment.Status.ENROLLED
    fresh.status = Enrolment.Status.CANCELLED
    fresh.save(update_fields=["status"])
    enrolment.status = fresh.status
    if not held_place or enrolled_count(locked) >= locked.capacity:
        return None
    first = (
        Enrolment.objects.select_for_update()
        .filter(course=locked, status=Enrolment.Status.WAITING)
        .select_related("resident")
        .order_by("created_at", "pk")
        .first()
    )
    if first is None:
        return None
    first.status = Enrolment.Status.ENROLLED
    first.save(update_fields=["status"])
    if first.resident.phone:
        notify.enqueue(
            channel="sms",
            phone=first.resident.phone,
            template=PLACE_FREED_TEMPLATE,
            payload={"name": first.resident.name, "course": locked.title},
            dedup_key=f"employment:enrolment:{first.pk}:promoted",
            community=locked.community_id,
        )
    return first


@transaction.atomic
def record_attendance(session: CourseSession, present) -> int:
    """Record who came to ``session`` (enrolments of its course); absent ones are
    removed, so recording again corrects the list. Returns how many attended."""
    present_ids = {e.pk for e in present if e.course_id == session.course_id}
    Attendance.objects.filter(session=session).exclude(enrolment_id__in=present_ids).delete()
    have = set(Attendance.objects.filter(session=session).values_list("enrolment_id", flat=True))
    Attendance.objects.bulk_create(
        [Attendance(session=session, enrolment_id=pk) for pk in present_ids - have]
    )
    return len(present_ids)


@transaction.atomic
def complete(enrolment: Enrolment) -> Enrolment:
    """Mark an enrolled resident as having completed the course (结业), once they have
    attended the sessions the course asks for."""
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise EnrolmentError(_("Only an enrolled resident can complete the course."))
    attended = enrolment.attendance.count()
    needed = enrolment.course.min_attendance
    if attended < needed:
        raise EnrolmentError(
            _("%(name)s attended %(attended)d of the %(needed)d sessions needed.")
            % {"name": enrolment.resident.name, "attended": attended, "needed": needed}
        )
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_at = timezone.now()
    enrolment.save(update_fields=["status", "completed_at"])
    return enrolment
