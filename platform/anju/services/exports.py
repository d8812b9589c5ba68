"""Cases as an Excel workbook, for the committee's reports and the grid's own records.

Why it looks the way it does:

- the rows are exactly what the inbox lists with the same filters (the caller passes
  the queryset it built through ``visibility.visible_cases``), so an export never shows
  a case its reader could not open;
- the requester's phone is masked as on screen: a spreadsheet travels further than the
  admin does, so it carries no more personal data than the list;
- the workbook is written with openpyxl's write-only mode into memory, reading the cases
  in chunks with their relations joined: a fixed number of queries whatever the size;
- every export is recorded in the audit log, one entry per case, in one INSERT;
- the answers follow, one sheet per service (its forms' fields as columns, labels in the
  reader's language): numbers stay numbers, dates are dates, choices read as their
  labels and yes/no as words, the way the case page shows them.
"""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from anju.core import audit
from anju.core.spreadsheets import safe_cell, safe_row

#: The audit log's action for a case exported to a spreadsheet.
EXPORT_CASES = "export_case"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A ceiling on one download: larger sets are asked to narrow the filters (dates).
MAX_ROWS = 20000


def _local(value):
    """Naive local time: Excel has no time zones, and staff read local times."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def headers() -> list[str]:
    return [
        _("Reference number"),
        _("Service"),
        _("Status"),
        _("Level"),
        _("Community"),
        _("Grid"),
        capfirst(_("township service desk")),
        _("Household"),
        _("Requester"),
        _("Phone"),
        _("Filed on the resident's behalf"),
        _("Assignee"),
        _("Filed"),
        _("Accept by"),
        _("Resolve by"),
        _("Resolved"),
        _("Closed"),
        _("SLA breached"),
        _("Settled"),
        _("Satisfaction"),
    ]


def row_for(case) -> list:
    def yes_no(value):
        if value is None:
            return ""
        return _("Yes") if value else _("No")

    return [
        case.reference,
        case.service.display_title,
        case.get_status_display(),
        case.get_level_display(),
        case.community.name if case.community_id else "",
        case.grid.name if case.grid_id else "",
        case.township.name if case.township_id else "",
        case.household.address if case.household_id else "",
        case.requester_name,
        case.masked_phone,
        yes_no(case.on_behalf),
        _person(case.assignee),
        _local(case.created_at),
        _local(case.accept_due),
        _local(case.resolve_due),
        _local(case.resolved_at),
        _local(case.closed_at),
        yes_no(case.sla_breached),
        yes_no(case.settled),
        case.satisfaction or "",
    ]


def _answer_cell(row: dict):
    """A typed cell for one answer: numbers and dates as Excel numbers and dates."""
    import datetime

    from .fieldtypes import FieldType

    value = row["value"]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if row["type"] == FieldType.DATE and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return row["display"]


class _AnswerSheets:
    """One sheet per service: the reference number, then each field's answer."""

    def __init__(self):
        self.services: dict[int, dict] = {}

    def add(self, case) -> None:
        from .fieldtypes import answer_rows

        sheet = self.services.setdefault(
            case.service_id, {"title": case.service.display_title, "columns": {}, "rows": []}
        )
        answers = answer_rows(case, mask_phones=True)  # masked, as the requester's phone
        for row in answers:
            sheet["columns"].setdefault(row["name"], row["label"])
        sheet["rows"].append((case.reference, {row["name"]: row for row in answers}))

    def write(self, workbook) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        used = {_("Cases")[:31]}
        for data in self.services.values():
            title = "".join(ch for ch in data["title"] if ch not in "[]:*?/\\")[:28] or "-"
            base, number = title, 2
            while title in used:
                title, number = f"{base[:26]} {number}", number + 1
            used.add(title)
            sheet = workbook.create_sheet(title=title)
            names = list(data["columns"])
            header = []
            for text in [_("Reference number"), *data["columns"].values()]:
                cell = WriteOnlyCell(sheet, value=safe_cell(text))
                cell.font = Font(bold=True)
                header.append(cell)
            sheet.append(header)
            for reference, answers in data["rows"]:
                # Answers are residents' own text: never a live formula.
                sheet.append(
                    safe_row(
                        [reference]
                        + [
                            _answer_cell(answers[name]) if name in answers else None
                            for name in names
                        ]
                    )
                )


def build_workbook(cases) -> tuple[bytes, list]:
    """The .xlsx bytes for ``cases`` (a queryset with ``for_lists()`` joins), and the
    cases written (for the audit log)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Cases")[:31])
    sheet.freeze_panes = "A2"
    header_row = []
    for title in headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header_row.append(cell)
    sheet.append(header_row)
    written = []
    answers = _AnswerSheets()
    for case in cases.select_related("version")[:MAX_ROWS].iterator(chunk_size=2000):
        sheet.append(safe_row(row_for(case)))
        answers.add(case)
        written.append(case)
    answers.write(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), written


def export_response(request, cases, *, filename_stem: str = "cases") -> HttpResponse:
    """Build the workbook, record the export in the audit log, and answer with it."""
    content, written = build_workbook(cases)
    audit.record(request, EXPORT_CASES, written, where="export")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename_stem}-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
