"""The county bureau's subsidy spreadsheet never carries a live formula from what a
resident typed (anju.core.spreadsheets)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from .conftest import file_application

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/","点我")'


def test_the_subsidy_export_neutralises_formulas(client, world, schemes):
    file_application(schemes["travel"], world.resident1, employer=EVIL, work_place="+86 宁波")
    client.force_login(world.users["committee"])
    response = client.get(reverse("employment_admin:export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in cells]
    assert "'" + EVIL in values and "'+86 宁波" in values
