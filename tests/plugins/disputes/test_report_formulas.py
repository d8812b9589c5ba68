"""The yearly disputes report never carries a live formula from staff- or
resident-typed names (anju.core.spreadsheets)."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from .conftest import file_dispute

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/","点我")'


def test_the_yearly_report_neutralises_formulas(client, world):
    world.grid1.name = EVIL
    world.grid1.save()
    file_dispute(world.household1)
    client.force_login(world.users["committee"])
    year = timezone.localdate().year
    response = client.get("/admin/disputes/figures/report.xlsx", {"year": str(year)})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + EVIL in [c.value for c in cells]
