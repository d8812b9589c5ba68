"""The job-retention (稳岗补贴) and travel (交通补贴) subsidies on the services engine.

Each scheme is a staff-built service: ``ensure_subsidy_schemes`` makes its form once,
with the fields the county bureau asks for, and staff then change them in the form
builder (Cases → Service forms) like any other form — add an eligibility question,
change a label. The fields the export reads keep fixed keys (``id_number``,
``employer``, ...), which survive a label change; a field staff delete is read from the
resident's migrant-work record instead.

Applications are cases of those services: filed on the portal, on a resident's behalf
by a grid worker (the core's "File on behalf", or ``submit(..., filed_by=...)``), moved
through the engine's statuses, and exported in the bureau's spreadsheet layout.
"""

from __future__ import annotations

import datetime
import decimal
import io

from django.db import transaction
from django.utils import timezone

from anju.community import Resident, id_number_digest, mask_id_number, mask_phone
from anju.core import VIEW_ID_NUMBER, record, safe_row
from anju.services import Case, Service, ServiceField, Status, visible_cases

from .models import MigrantWork, SubsidyKind, SubsidyScheme

#: Permission to see whole ID numbers (and phone numbers) in the export.
FULL_ID_PERMISSION = "community.view_full_id_number"

# (key, label, type, required) — the labels are the bureau's words, staff may edit them.
_COMMON_HEAD = [
    ("id_number", "身份证号", "id_number", True),
    ("employer", "务工单位", "text", True),
    ("work_place", "务工地点", "text", True),
]
SCHEME_FORMS = {
    SubsidyKind.JOB_RETENTION: {
        "title": "稳岗补贴申请",
        "slug": "employment-job-retention-subsidy",
        "description": "在外务工连续满6个月的搬迁群众，可申请稳岗补贴。网格员可上门代办。",
        "amount": decimal.Decimal("1000"),
        "fields": _COMMON_HEAD
        + [
            ("work_start", "务工开始时间", "date", True),
            ("work_end", "务工结束时间", "date", False),
            ("months_away", "外出务工月数", "number", True),
            ("amount", "申请金额（元）", "number", False),
            ("proof", "务工证明（劳动合同或工资流水）", "file", False),
        ],
    },
    SubsidyKind.TRAVEL: {
        "title": "交通补贴申请",
        "slug": "employment-travel-subsidy",
        "description": "跨省外出务工的搬迁群众，凭车票申请一次性交通补贴。",
        "amount": decimal.Decimal("500"),
        "fields": _COMMON_HEAD
        + [
            ("work_start", "务工开始时间", "date", True),
            ("travel_date", "出行日期", "date", True),
            ("amount", "申请金额（元）", "number", False),
            ("ticket", "车票或行程单", "file", False),
        ],
    },
}


@transaction.atomic
def ensure_subsidy_schemes(community=None) -> dict[str, SubsidyScheme]:
    """Make each scheme and its service form if missing; leave staff's edits alone."""
    schemes = {}
    for kind, spec in SCHEME_FORMS.items():
        scheme = SubsidyScheme.objects.select_related("service").filter(kind=kind).first()
        if scheme is None:
            service = Service.objects.filter(slug=spec["slug"]).first()
            if service is None:
                service = Service.objects.create(
                    title=spec["title"],
                    slug=spec["slug"],
                    description=spec["description"],
                    community=community,
                    handler_role="grid_worker",
                    accept_hours=48,
                    resolve_hours=24 * 15,
                )
                for order, (key, label, kind_of_field, required) in enumerate(spec["fields"]):
                    ServiceField.objects.create(
                        service=service,
                        sort_order=order,
                        key=key,
                        label=label,
                        field_type=kind_of_field,
                        required=required,
                    )
                service.snapshot()
            scheme = SubsidyScheme.objects.create(
                kind=kind, service=service, standard_amount=spec["amount"]
            )
        schemes[kind] = scheme
    return schemes


def applications(user):
    """Subsidy applications (cases of the schemes' services) ``user`` may see."""
    return visible_cases(user, Case.objects.filter(service__subsidy_scheme__isnull=False))


# --- the county bureau's spreadsheet --------------------------------------------------------

EXPORT_HEADINGS = (
    "序号",
    "姓名",
    "身份证号",
    "联系电话",
    "务工单位",
    "务工地点",
    "务工起止时间",
    "申请类型",
    "申请金额",
    "状态",
    "办理网格员",
)


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _date(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def export_rows(cases, *, full_numbers: bool) -> tuple[list[Case], list[list]]:
    """The cases and one row per case in the bureau's layout. Three queries whatever the number of
    cases: the cases, the residents they name (by ID number) and their work records."""
    cases = list(
        cases.select_related("service__subsidy_scheme", "filed_by", "assignee").order_by(
            "created_at", "pk"
        )
    )
    digests = {}
    for case in cases:
        number = str(case.data.get("id_number") or "")
        if number:
            digests[case.pk] = id_number_digest(number)
    residents = {}
    if digests:
        for resident in Resident.objects.filter(
            id_number_digest__in=set(digests.values())
        ).prefetch_related("migrant_work"):
            residents[resident.id_number_digest] = resident
    rows = []
    for number, case in enumerate(cases, start=1):
        data = case.data
        scheme = case.service.subsidy_scheme
        resident = residents.get(digests.get(case.pk))
        work: MigrantWork | None = None
        if resident is not None:
            records = list(resident.migrant_work.all())
            work = records[0] if records else None
        id_number = str(data.get("id_number") or (resident.id_number if resident else ""))
        phone = case.requester_phone or ""
        employer = data.get("employer") or (work.employer if work else "")
        place = data.get("work_place") or (work.place if work else "")
        start = data.get("work_start") or (work.since if work else "")
        end = data.get("work_end") or (work.until if work else "")
        period = f"{_date(start)}—{_date(end) or '至今'}" if start else ""
        amount = data.get("amount")
        amount = (
            decimal.Decimal(str(amount)) if amount not in (None, "") else scheme.standard_amount
        )
        handler = case.filed_by if case.on_behalf else case.assignee
        rows.append(
            [
                number,
                case.requester_name,
                id_number if full_numbers else mask_id_number(id_number),
                phone if full_numbers else mask_phone(phone),
                employer,
                place,
                period,
                str(scheme.get_kind_display()),
                float(amount),
                str(Status(case.status).label),
                _person(handler),
            ]
        )
    return cases, rows


def export_workbook(request, cases) -> bytes:
    """The .xlsx the county bureau asks for. Whole ID numbers only for a role that may
    see them, and then every exported case is written to the audit log."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    user = request.user
    full = user.is_superuser or user.has_perm(FULL_ID_PERMISSION)
    cases, rows = export_rows(cases, full_numbers=full)
    if full and cases:
        record(request, VIEW_ID_NUMBER, cases, where="employment:subsidy-export")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "补贴申请"
    sheet.append(list(EXPORT_HEADINGS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append(safe_row(row))  # residents' text never runs as a formula
    for column, width in zip(
        "ABCDEFGHIJK", (6, 10, 22, 15, 20, 16, 24, 14, 10, 10, 12), strict=True
    ):
        sheet.column_dimensions[column].width = width
    for cell in sheet["C"][1:]:
        cell.number_format = "@"  # an ID number is text, never a number in Excel
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_filename() -> str:
    return f"subsidy-applications-{timezone.localdate():%Y%m%d}.xlsx"
