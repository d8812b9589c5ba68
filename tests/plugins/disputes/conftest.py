"""Fixtures for the disputes plugin.

``file_dispute(household=..., ...)`` files a dispute through the real path (the services
engine's ``submit`` with the plugin's form and ``create_dispute``), so the case, its
assignee, SLA and timeline are what production makes.
"""

import pytest

from anju.services.submission import Requester, service_for_code_form, submit
from plugins.disputes.forms import DisputeReportForm
from plugins.disputes.handling import create_dispute
from plugins.disputes.models import DisputeParty
from plugins.disputes.services import REPORT_FORM

OUTSIDER_PHONE = "13955556666"


def file_dispute(
    household=None,
    *,
    dispute_type="neighbour",
    summary="楼上漏水到楼下",
    risk="low",
    filed_by=None,
    name="王小明",
    phone="13812345678",
    parties=None,
    visit=None,
):
    form = DisputeReportForm({"dispute_type": dispute_type, "summary": summary, "place": "1号楼"})
    assert form.is_valid(), form.errors
    if parties is None:
        parties = [DisputeParty(name="外来人员", phone=OUTSIDER_PHONE)]
        if household is not None and household.head_id:
            parties.insert(0, DisputeParty(resident=household.head))

    def on_submit(case, report):
        create_dispute(
            case,
            dispute_type=dispute_type,
            summary=summary,
            place="1号楼",
            risk=risk,
            visit=visit,
            parties=parties,
        )

    case, _created = submit(
        service_for_code_form("disputes", REPORT_FORM),
        form,
        requester=Requester(name=name, phone=phone),
        household=household,
        filed_by=filed_by,
        on_submit=on_submit,
    )
    return case.dispute


@pytest.fixture
def dispute1(world):
    """A dispute in grid 1 (household 1), held by grid 1's grid worker."""
    return file_dispute(world.household1)


@pytest.fixture
def dispute2(world):
    """A dispute in grid 2 (household 2)."""
    return file_dispute(world.household2, name="李大红", phone="13987654321")


def refused(response) -> bool:
    """Wagtail answers a PermissionDenied in the admin with a redirect to the dashboard
    (and a message); the API and plain views with 403."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response["Location"].rstrip("/").endswith("/admin")
