"""A round's outcomes as an Excel workbook: one row per target the reader may see, with
its latest answer. Written with openpyxl's write-only mode, the targets read in chunks
with their answers prefetched (a fixed number of queries per chunk), and recorded in the
audit log, as the services engine's case export is."""

from __future__ import annotations

import io

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.core import audit

from .models import TargetAnswer

EXPORT_TARGETS = "export_campaign_targets"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 200000
CHUNK = 2000


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def headers() -> list[str]:
    return [
        _("Campaign"),
        _("Round"),
        _("Grid"),
        _("Address"),
        _("Resident"),
        _("Assignee"),
        _("Outcome"),
        _("Answered"),
        _("Answered by"),
        _("Note"),
        _("Checklist"),
        _("Case"),
        _("In the list"),
    ]


def row_for(round_, target) -> list:
    answers = target.answers.all()
    latest = answers[len(answers) - 1] if answers else None
    checklist = "；".join(f"{label}：{value}" for label, value in latest.answers) if latest else ""
    return [
        round_.campaign.title,
        f"{round_.starts_on:%Y-%m-%d} – {round_.due_on:%Y-%m-%d}",
        target.grid_name,
        target.address,
        target.resident_name,
        _person(target.assignee),
        target.get_outcome_display(),
        _local(target.answered_at),
        _person(latest.answered_by) if latest else "",
        latest.note if latest else "",
        checklist,
        latest.case.reference if latest and latest.case_id else "",
        _("Yes") if target.active else _("No"),
    ]


def build_workbook(round_, targets) -> tuple[bytes, list]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Outcomes")[:31])
    sheet.freeze_panes = "A2"
    header_row = []
    for title in headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header_row.append(cell)
    sheet.append(header_row)
    written = []
    answers = TargetAnswer.objects.select_related("version", "answered_by", "case").order_by(
        "answered_at", "pk"
    )
    queryset = (
        targets.select_related("assignee")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .walking_order()[:MAX_ROWS]
    )
    for target in queryset.iterator(chunk_size=CHUNK):
        sheet.append(row_for(round_, target))
        written.append(target)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), written


def outcomes_response(round_, targets, user, request=None) -> HttpResponse:
    content, written = build_workbook(round_, targets)
    audit.record(request, EXPORT_TARGETS, written, where="export", user=user)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="campaign-{round_.campaign_id}-round-{round_.number}-{stamp}.xlsx"'
    )
    response["Cache-Control"] = "no-store"
    return response
