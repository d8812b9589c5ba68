"""Formula injection: residents' text in every export of the core is plain text when the
spreadsheet is opened, never a formula (anju.core.spreadsheets). Each export is read back
from the file the admin serves."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from anju.community.models import Household, Resident
from anju.core.spreadsheets import safe_cell, safe_row
from tests.platform.services.conftest import built_service, file_case  # noqa: F401

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/","点我")'
STARTS = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", STARTS)
def test_text_that_would_start_a_formula_is_made_inert(text):
    assert safe_cell(text) == "'" + text


def test_other_cells_are_left_alone():
    assert safe_row(["王小明", 12, None, 1.5, "a=b", ""]) == ["王小明", 12, None, 1.5, "a=b", ""]


def no_formulas(workbook_bytes) -> list:
    book = load_workbook(io.BytesIO(workbook_bytes))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"a formula in {sheet.title}!{cell.coordinate}"
                values.append(cell.value)
    return values


def test_the_case_export(world, client, built_service):  # noqa: F811
    file_case(built_service, household=world.household1, name=EVIL)
    client.force_login(world.users["committee"])
    response = client.get(reverse("anju_cases_export"), {"tab": "all"})
    assert response.status_code == 200
    assert "'" + EVIL in no_formulas(response.content)


def _csv(response):
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(content)))


@pytest.mark.parametrize("model", [Household, Resident], ids=lambda m: m.__name__)
def test_the_registers_exports_in_csv_and_excel(world, client, model):
    world.household1.note = EVIL
    world.household1.room = "-1"
    world.household1.save()
    Resident.objects.filter(pk=world.resident1.pk).update(name="@" + EVIL)
    client.force_login(world.users["committee"])
    url = reverse(f"community_{model._meta.model_name}:index")

    cells = [cell for row in _csv(client.get(url, {"export": "csv"})) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    response = client.get(url, {"export": "xlsx"})
    values = [v for v in no_formulas(b"".join(response.streaming_content)) if v]
    if model is Household:
        assert "'" + EVIL in cells and "'" + EVIL in values
    else:
        assert "'@" + EVIL in cells and "'@" + EVIL in values
