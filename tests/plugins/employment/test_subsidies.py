"""Subsidy applications on the services engine: staff-built forms whose fields staff may
change, filing on a resident's behalf, the engine's statuses, and the county bureau's
spreadsheet (whole ID numbers only for a role that may see them, audited)."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from anju.core.models import AuditEntry
from anju.services.models import Case, CaseAttachment, ServiceField, Status
from anju.services.workflow import transition
from plugins.employment.models import MigrantWork, SubsidyScheme
from plugins.employment.subsidies import EXPORT_HEADINGS, ensure_subsidy_schemes

from .conftest import file_application

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% proof of work\n"


def label(status) -> str:
    """A status as the (zh-hans) export writes it."""
    with translation.override("zh-hans"):
        return str(status.label)


def test_schemes_are_staff_built_forms_made_once(world, schemes):
    assert set(schemes) == {"job_retention", "travel"}
    service = schemes["job_retention"].service
    assert service.kind == "built" and service.handler_role == "grid_worker"
    keys = [f.key for f in service.form_fields.all()]
    assert {"id_number", "employer", "work_place", "months_away", "proof"} <= set(keys)
    # Staff add an eligibility question in the form builder; set-up never undoes it.
    ServiceField.objects.create(
        service=service, label="是否签订劳动合同", field_type="text", required=False, sort_order=99
    )
    ensure_subsidy_schemes(world.community)
    assert SubsidyScheme.objects.count() == 2
    assert service.form_fields.count() == len(keys) + 1


def export(client, **params):
    response = client.get(reverse("employment_admin:export"), params)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_from_filing_on_behalf_to_the_bureau_spreadsheet(client, world, schemes):
    worker = world.users["grid_worker"]
    resident = world.resident1
    MigrantWork.objects.create(
        resident=resident,
        place="浙江省宁波市",
        employer="宁波华瑞电子有限公司",
        since="2025-03-01",
    )
    service = schemes["job_retention"].service
    fields = {spec["name"]: spec for spec in service.current_version.fields}
    client.force_login(worker)
    url = reverse("anju_cases_file_form", args=[service.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "id_number": resident.id_number,
            "employer": "宁波华瑞电子有限公司",
            "work_place": "浙江省宁波市",
            "work_start": "2025-03-01",
            "months_away": "9",
            "amount": "1200",
            "proof": SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf"),
            "requester-requester_name": resident.name,
            "requester-requester_phone": resident.phone,
            "behalf-household": resident.household.pk,
            # The resident's consent to 代办: the signed authorisation, scanned.
            "consent-method": "signed_photo",
            "consent-photo": SimpleUploadedFile("授权书.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert "proof" in fields
    assert case.on_behalf and case.filed_by == worker and case.grid == world.grid1
    assert case.assignee == worker  # the grid worker of the resident's grid handles it
    # Besides the consent record filing on behalf now keeps, the proof is attached.
    assert CaseAttachment.objects.filter(case=case, field="proof").count() == 1

    transition(case, "accepted", worker)
    transition(case, "in_progress", worker)

    # A travel subsidy of grid 2, filed by the resident on the portal.
    other = file_application(schemes["travel"], world.resident2)
    assert not other.on_behalf

    rows = export(client)
    assert rows[0] == list(EXPORT_HEADINGS)
    assert len(rows) == 2  # the grid worker sees grid 1 only
    row = rows[1]
    assert row[0] == 1 and row[1] == resident.name
    assert row[2] == resident.id_number  # whole: grid workers may see their residents'
    assert row[3] == resident.phone
    assert row[4:7] == ["宁波华瑞电子有限公司", "浙江省宁波市", "2025-03-01—至今"]
    assert row[7] == "稳岗补贴" and row[8] == 1200 and row[9] == label(Status.IN_PROGRESS)
    assert row[10] == worker.get_full_name()
    entry = AuditEntry.objects.get(user=worker)
    assert entry.action == "view_id_number" and entry.object_id == str(case.pk)

    # The committee sees both; the travel subsidy takes its standard amount and the
    # place of work from the resident's form.
    client.force_login(world.users["committee"])
    rows = export(client)
    assert [r[7] for r in rows[1:]] == ["稳岗补贴", "交通补贴"]
    assert rows[2][8] == 500 and rows[2][9] == label(Status.SUBMITTED)


def test_a_role_without_whole_numbers_gets_them_masked(client, world, schemes):
    from django.contrib.auth.models import Permission

    file_application(schemes["travel"], world.resident1)
    rep = world.users["resident_rep"]  # sees grid 1's cases, never whole ID numbers
    client.force_login(rep)
    response = client.get(reverse("employment_admin:export"))
    assert response.status_code in (302, 403) and "Content-Disposition" not in response
    rep.user_permissions.add(
        Permission.objects.get(codename="export_case", content_type__app_label="services")
    )
    rep = type(rep).objects.get(pk=rep.pk)
    client.force_login(rep)
    rows = export(client)
    assert len(rows) == 2
    assert rows[1][2] == world.resident1.masked_id_number
    assert "****" in rows[1][3]
    assert not AuditEntry.objects.exists()


def test_migrant_work_fills_what_the_form_no_longer_asks(client, world, schemes):
    scheme = schemes["travel"]
    MigrantWork.objects.create(
        resident=world.resident1,
        place="江苏省苏州市",
        employer="苏州建工",
        since="2024-05-01",
        until="2025-01-31",
    )
    # Staff removed the employer and place questions from the form.
    scheme.service.form_fields.filter(key__in=["employer", "work_place", "work_start"]).delete()
    scheme.service.snapshot()
    file_application(scheme, world.resident1)
    client.force_login(world.users["committee"])
    row = export(client)[1]
    assert row[4:7] == ["苏州建工", "江苏省苏州市", "2024-05-01—2025-01-31"]


def test_the_portal_form_files_an_application(client, world, schemes):
    url = reverse("employment:subsidy", kwargs={"kind": "travel"})
    assert client.get(url).status_code == 200
    assert client.get(reverse("employment:subsidy", kwargs={"kind": "nope"})).status_code == 404
    response = client.post(url, {"requester-requester_name": "王小明"})
    assert response.status_code == 400 and not Case.objects.exists()
