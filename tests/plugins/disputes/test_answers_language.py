"""A plugin's form reads in the reader's language wherever a case is read: the admin's
case page, the staff API, the export and the resident's own case page. The version
keeps the plugin's source strings and the answer keeps the choice's code; both are
translated when read (issue 21)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from anju.services.models import Case, FormVersion

pytestmark = pytest.mark.django_db

REPORT_URL = "/services/disputes/forms/report/"


def report(client, dispute_type="other"):
    response = client.post(
        REPORT_URL,
        {
            "dispute_type": dispute_type,
            "summary": "楼上卫生间漏水，渗到我家天花板。",
            "place": "1号楼2单元",
            "requester-requester_name": "王芳",
            "requester-requester_phone": "13912345678",
        },
    )
    assert response.status_code == 200
    return Case.objects.get()


def test_the_version_keeps_source_strings_and_the_answer_its_code(world, client):
    case = report(client)
    spec = case.version.fields[0]
    assert spec["label"] == "What kind of dispute"
    assert ["other", "Other"] in spec["choices"]
    assert case.data["dispute_type"] == "other"


def test_the_chinese_admin_case_page_shows_chinese_labels_and_choice_labels(world, client):
    case = report(client)
    client.force_login(world.users["committee"])
    html = client.get(reverse("anju_case", args=[case.pk])).content.decode()
    assert "<dt>纠纷类型</dt><dd>其他</dd>" in html
    assert "<dt>发生了什么</dt>" in html
    assert "What kind of dispute" not in html and "What happened" not in html
    assert "<dd>other</dd>" not in html


def test_the_staff_api_answers_in_the_language_asked_for(world, client):
    case = report(client, dispute_type="neighbour")
    api = APIClient()
    api.force_login(world.users["committee"])
    url = f"/api/services/cases/{case.reference}/"
    first = api.get(url).json()["answers"][0]
    assert (first["label"], first["value"], first["display"]) == (
        "纠纷类型",
        "neighbour",
        "邻里纠纷",
    )
    english = api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["answers"][0]
    assert (english["label"], english["display"]) == ("What kind of dispute", "Neighbour quarrel")


def test_the_export_has_the_answers_in_chinese(world, client):
    case = report(client)
    client.force_login(world.users["committee"])
    response = client.get(reverse("anju_cases_export"), {"tab": "all"})
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(book.sheetnames) == 2
    rows = [list(r) for r in book[book.sheetnames[1]].iter_rows(values_only=True)]
    assert rows[0][:2] == ["受理编号", "纠纷类型"]
    assert rows[1][0] == case.reference and rows[1][1] == "其他"


def test_the_residents_own_case_page_shows_what_they_asked_in_chinese(world, client):
    client.force_login(world.users["resident"])
    case = report(client, dispute_type="family")
    html = client.get(reverse("anju_services:my-case", args=[case.reference])).content.decode()
    assert "<dt>纠纷类型</dt><dd>家庭矛盾</dd>" in html
    assert "What kind of dispute" not in html


def test_a_version_stored_before_choices_kept_codes_still_reads_in_chinese(world, client):
    """Versions the older code made hold the labels only (in English): the codes are
    mapped with the plugin's form, the labels translated."""
    case = report(client)
    old_fields = [
        {**spec, "choices": [label for _code, label in spec["choices"]]}
        for spec in case.version.fields
    ]
    old = FormVersion.objects.create(
        service=case.service, number=99, fields=old_fields, digest="old"
    )
    Case.objects.filter(pk=case.pk).update(version=old)
    client.force_login(world.users["committee"])
    html = client.get(reverse("anju_case", args=[case.pk])).content.decode()
    assert "<dt>纠纷类型</dt><dd>其他</dd>" in html
