"""Answers keep their types through storage, the API and the export: a number is a
number, yes/no a boolean (read 是/否), not the texts "12" and "True" (issue 21)."""

import io
import json

import pytest
from django.db import connection
from django.urls import reverse
from encrypted_fields.fields import EncryptedJSONField
from openpyxl import load_workbook
from rest_framework.test import APIClient

from anju.services.models import Case, Service, ServiceField, ServiceFormPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_page(world):
    from anju.portal.site import ensure_home_page

    service = Service.objects.create(title="活动报名", slug="signup", community=world.community)
    for order, (label, kind, required) in enumerate(
        [("人数", "number", True), ("需要接送", "boolean", False), ("费用", "number", False)]
    ):
        ServiceField.objects.create(
            service=service, sort_order=order, label=label, field_type=kind, required=required
        )
    service.snapshot()
    return ensure_home_page().add_child(
        instance=ServiceFormPage(title="活动报名", slug="signup", service=service)
    )


def file(client, page):
    names = {spec["label"]: spec["name"] for spec in page.service.current_version.fields}
    response = client.post(
        "/signup/",
        {
            names["人数"]: "12",
            names["需要接送"]: "on",
            names["费用"]: "12.50",
            "requester-requester_name": "王小明",
            "requester-requester_phone": "13812345678",
        },
    )
    assert response.status_code == 200, response.content.decode()[:500]
    return Case.objects.get(), names


def test_answers_come_back_from_storage_with_their_types(world, client, form_page):
    case, names = file(client, form_page)
    data = Case.objects.get(pk=case.pk).data
    assert data[names["人数"]] == 12 and isinstance(data[names["人数"]], int)
    assert data[names["需要接送"]] is True
    assert data[names["费用"]] == 12.5
    with connection.cursor() as cursor:  # still encrypted at rest, keys included
        cursor.execute("SELECT data FROM services_case WHERE id = %s", [case.pk])
        raw = cursor.fetchone()[0]
    raw = raw if isinstance(raw, str) else json.dumps(raw)
    assert isinstance(json.loads(raw), str) and names["人数"] not in raw  # one token


def test_the_api_sends_typed_values_and_yes_in_chinese(world, client, form_page):
    case, _names = file(client, form_page)
    api = APIClient()
    api.force_login(world.users["committee"])
    answers = api.get(f"/api/services/cases/{case.reference}/").json()["answers"]
    assert [(a["value"], a["display"]) for a in answers] == [
        (12, "12"),
        (True, "是"),
        (12.5, "12.5"),
    ]


def test_the_admin_case_page_reads_yes_as_shi(world, client, form_page):
    case, _names = file(client, form_page)
    client.force_login(world.users["committee"])
    html = client.get(reverse("anju_case", args=[case.pk])).content.decode()
    assert "<dt>需要接送</dt><dd>是</dd>" in html and "True" not in html


def test_the_export_writes_numbers_as_numbers(world, client, form_page):
    case, _names = file(client, form_page)
    client.force_login(world.users["committee"])
    response = client.get(reverse("anju_cases_export"), {"tab": "all"})
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = [list(r) for r in book[book.sheetnames[1]].iter_rows(values_only=True)]
    assert rows[0] == ["受理编号", "人数", "需要接送", "费用"]
    assert rows[1] == [case.reference, 12, "是", 12.5]


def test_rows_stored_as_text_before_are_read_with_their_types(world, client, form_page):
    """A row the per-leaf encrypted field wrote ("12", "True") reads typed."""
    case, names = file(client, form_page)
    legacy = EncryptedJSONField().get_prep_value(
        {names["人数"]: "12", names["需要接送"]: "True", names["费用"]: "12.50"}
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE services_case SET data = %s WHERE id = %s", [legacy, case.pk])
    assert json.loads(legacy)[names["人数"]] != "12"  # it was encrypted
    api = APIClient()
    api.force_login(world.users["committee"])
    answers = api.get(f"/api/services/cases/{case.reference}/").json()["answers"]
    assert [a["value"] for a in answers] == [12, True, 12.5]
