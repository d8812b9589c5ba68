"""The service form residents use to report a dispute, and the grid worker's intake from
a visit. Both file a case of the services engine; the dispute's own records are saved in
the same transaction (``on_submit``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anju.plugins import ServiceForm
from anju.services import Requester, service_for_code_form, submit

from .forms import DisputeReportForm, VisitDisputeForm
from .handling import create_dispute
from .models import DisputeParty, RiskLevel


def save_report(case, form) -> None:
    """A resident's own report: they are one party, the other side (if named) another.
    Staff assess the risk once they have talked to them."""
    data = form.cleaned_data
    parties = [DisputeParty(name=case.requester_name, phone=case.requester_phone or None)]
    if data.get("other_party"):
        parties.append(DisputeParty(name=data["other_party"]))
    create_dispute(
        case,
        dispute_type=data["dispute_type"],
        summary=data["summary"],
        place=data.get("place", ""),
        risk=RiskLevel.LOW,
        parties=parties,
    )


REPORT_FORM = ServiceForm(
    slug="report",
    title=_("Report a dispute"),
    description=_(
        "A quarrel with the neighbours, a leak from the flat above, a family matter: tell "
        "us and your grid worker will help settle it."
    ),
    form_class=DisputeReportForm,
    on_submit=save_report,
    handler_role="grid_worker",
    accept_hours=24,
    resolve_hours=240,
)
service_forms = [REPORT_FORM]


def file_from_visit(visit, form: VisitDisputeForm, worker):
    """Record a dispute heard on ``visit``: a case filed by the grid worker on the
    resident's behalf (代办), for the visited household, linked to the visit."""
    data = form.cleaned_data
    raised_by = data["raised_by"]
    parties = [DisputeParty(resident=raised_by)]
    parties += [
        DisputeParty(resident=r) for r in data.get("other_residents") or [] if r != raised_by
    ]
    if data.get("outsider_name"):
        parties.append(
            DisputeParty(name=data["outsider_name"], phone=data.get("outsider_phone") or None)
        )

    def on_submit(case, _report):
        create_dispute(
            case,
            dispute_type=data["dispute_type"],
            summary=data["summary"],
            place=data.get("place", ""),
            risk=data["risk"],
            visit=visit,
            parties=parties,
        )

    service = service_for_code_form("disputes", REPORT_FORM)
    case, _created = submit(
        service,
        form.report_form(),
        requester=Requester(name=raised_by.name, phone=data.get("phone") or raised_by.phone),
        household=visit.household,
        filed_by=worker,
        on_submit=on_submit,
        consent_at_visit=True,  # the resident raised it at the visit: the visit is the record
    )
    return case.dispute
