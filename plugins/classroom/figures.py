"""Figures per term: enrolled children, the waiting list, attendance rate per class,
volunteer hours; and the term's Excel workbook. A fixed number of queries, whatever the
number of classes or children. Children's counts are narrowed to what the user may see
(access.visible), so a grid worker's figures are their grids'."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from . import access
from .models import Attendance, ClassGroup, Enrolment, Term, VolunteerShift


def meeting_days(klass: ClassGroup, until: datetime.date) -> int:
    """How many times ``klass`` met from the term's start to ``until`` (inclusive)."""
    start, end = klass.term.starts_on, min(klass.term.ends_on, until)
    if end < start:
        return 0
    try:
        days = set(klass.days)
    except ValueError:
        return 0
    count = 0
    day = start
    while day <= end:
        count += day.isoweekday() in days
        day += datetime.timedelta(days=1)
    return count


def term_figures(term: Term, user, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    classes = list(
        ClassGroup.objects.filter(term=term)
        .select_related("term", "in_charge")
        .order_by("starts_at", "pk")
    )
    enrolments = access.visible(Enrolment.objects.filter(klass__term=term), user)
    counts = {
        row["klass_id"]: row
        for row in enrolments.values("klass_id").annotate(
            enrolled=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED)),
            waiting=Count("pk", filter=Q(status=Enrolment.Status.WAITING)),
            priority=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED, priority=True)),
        )
    }
    attended = dict(
        access.visible(Attendance.objects.filter(enrolment__klass__term=term), user)
        .filter(enrolment__status=Enrolment.Status.ENROLLED)
        .values_list("enrolment__klass_id")
        .annotate(n=Count("pk"))
    )
    rows = []
    for klass in classes:
        row = counts.get(klass.pk, {})
        enrolled = row.get("enrolled", 0)
        met = meeting_days(klass, today)
        possible = enrolled * met
        came = attended.get(klass.pk, 0)
        rows.append(
            {
                "klass": klass,
                "enrolled": enrolled,
                "waiting": row.get("waiting", 0),
                "priority": row.get("priority", 0),
                "meetings": met,
                "attended": came,
                "rate": round(100 * came / possible) if possible else None,
            }
        )
    children = (
        enrolments.filter(status=Enrolment.Status.ENROLLED).values("child_id").distinct().count()
    )
    return {
        "term": term,
        "classes": rows,
        "children": children,
        "volunteers": volunteer_hours(term),
    }


def volunteer_hours(term: Term) -> list[dict]:
    """Hours per volunteer in ``term`` (the roster), most hours first."""
    rows = (
        VolunteerShift.objects.filter(klass__term=term)
        .values("volunteer_id", "volunteer__name", "volunteer__is_teacher")
        .annotate(hours=Sum("hours"), shifts=Count("pk"))
        .order_by("-hours", "volunteer__name")
    )
    return [
        {
            "name": row["volunteer__name"],
            "teacher": row["volunteer__is_teacher"],
            "hours": row["hours"] or Decimal(0),
            "shifts": row["shifts"],
        }
        for row in rows
    ]


def _sheet(workbook, title, header, rows):
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    return sheet


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def volunteers_workbook(term: Term) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(
        workbook,
        _("Volunteers"),
        [_("Name"), _("Teacher"), _("Shifts"), _("Hours")],
        [
            [row["name"], _("yes") if row["teacher"] else "", row["shifts"], float(row["hours"])]
            for row in volunteer_hours(term)
        ],
    )
    return _save(workbook)


def term_workbook(term: Term, user) -> bytes:
    """The term in Excel: classes with attendance rates, the children the user may see,
    the volunteers' hours."""
    figures = term_figures(term, user)
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(
        workbook,
        _("Classes"),
        [
            _("Class"),
            _("Kind"),
            _("Days"),
            _("Time"),
            _("Room"),
            _("Capacity"),
            _("Enrolled"),
            _("Waiting list"),
            _("Attendance rate (%)"),
        ],
        [
            [
                row["klass"].title,
                str(row["klass"].get_kind_display()),
                row["klass"].day_labels,
                f"{row['klass'].starts_at:%H:%M}-{row['klass'].ends_at:%H:%M}",
                row["klass"].room,
                row["klass"].capacity,
                row["enrolled"],
                row["waiting"],
                row["rate"] if row["rate"] is not None else "",
            ]
            for row in figures["classes"]
        ],
    )
    enrolments = (
        access.visible(Enrolment.objects.filter(klass__term=term), user)
        .exclude(status=Enrolment.Status.CANCELLED)
        .select_related("child__household__building", "klass")
        .annotate(days=Count("attendance"))
        .order_by("klass__starts_at", "klass_id", "status", "created_at")
    )
    _sheet(
        workbook,
        _("Children"),
        [_("Class"), _("Child"), _("Address"), _("Status"), _("Priority"), _("Days attended")],
        [
            [
                e.klass.title,
                e.child.name,
                e.child.household.address,
                str(e.get_status_display()),
                _("yes") if e.priority else "",
                e.days,
            ]
            for e in enrolments
        ],
    )
    _sheet(
        workbook,
        _("Volunteers"),
        [_("Name"), _("Teacher"), _("Shifts"), _("Hours")],
        [
            [row["name"], _("yes") if row["teacher"] else "", row["shifts"], float(row["hours"])]
            for row in figures["volunteers"]
        ],
    )
    return _save(workbook)
