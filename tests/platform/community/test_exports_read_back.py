"""Every export of the register's lists writes its rows: each file is read back (CSV with
the csv module, Excel with openpyxl) and must hold the expected records' values, in the
user's grids only, under Chinese headings. The visits, buildings and team lists used to
download one blank row per record."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from anju.community.models import GridTeamMember

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def read_xlsx(response) -> list[list]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def export(client, user, name, fmt):
    client.force_login(user)
    response = client.get(reverse(f"community_{name}:index"), {"export": fmt})
    return read_csv(response) if fmt == "csv" else read_xlsx(response)


def by_id(rows):
    return {int(row[0]): row for row in rows[1:]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_visits_export(world, client, fmt):
    world.visit1.basic_situation = "老两口身体尚可"
    world.visit1.follow_up_needed = True
    world.visit1.save()
    rows = export(client, world.users["committee"], "visit", fmt)
    assert rows[0][:4] == ["编号", "住户", "网格", "日期"]
    found = by_id(rows)
    assert set(found) == {world.visit1.pk, world.visit2.pk}
    row = found[world.visit1.pk]
    assert row[1] == world.household1.address and row[2] == "第一网格"
    assert "老两口身体尚可" in row and "是" in row
    assert all(any(cell not in (None, "") for cell in r) for r in rows[1:])
    # a grid worker's file holds their grid only
    rows = export(client, world.users["grid_worker"], "visit", fmt)
    assert set(by_id(rows)) == {world.visit1.pk}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_buildings_export(world, client, fmt):
    rows = export(client, world.users["committee"], "building", fmt)
    assert rows[0] == ["编号", "名称", "网格", "排序", "住户"]
    found = by_id(rows)
    assert found[world.building1.pk][1:3] == ["1号楼", "第一网格"]
    assert str(found[world.building1.pk][4]) == "1"
    assert found[world.building2.pk][1:3] == ["2号楼", "第二网格"]
    rows = export(client, world.users["grid_worker"], "building", fmt)
    assert set(by_id(rows)) == {world.building1.pk}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_team_export(world, client, fmt):
    seat = GridTeamMember.objects.get(user=world.users["grid_worker"])
    rows = export(client, world.users["committee"], "gridteammember", fmt)
    found = by_id(rows)
    assert set(found) == set(GridTeamMember.objects.values_list("pk", flat=True))
    assert found[seat.pk][1] == "第一网格"
    assert found[seat.pk][2] == seat.get_role_display() and found[seat.pk][2] == "网格员"
    assert found[seat.pk][3] == "gridworker" or found[seat.pk][3]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_households_and_residents_exports(world, client, fmt):
    rows = export(client, world.users["committee"], "household", fmt)
    assert by_id(rows)[world.household1.pk][1] == world.household1.address
    rows = export(client, world.users["committee"], "resident", fmt)
    row = by_id(rows)[world.resident1.pk]
    assert row[1] == "王小明" and world.resident1.masked_id_number in row


def test_a_list_without_export_columns_answers_404_not_blank_rows(world, client):
    client.force_login(world.users["committee"])
    response = client.get(reverse("community_grid:index"), {"export": "csv"})
    assert response.status_code == 404
    response = client.get(reverse("community_specialgroup:index"), {"export": "xlsx"})
    assert response.status_code == 404
    # the page itself is unaffected
    assert client.get(reverse("community_grid:index")).status_code == 200


@pytest.mark.parametrize("name", ["visit", "building", "gridteammember"])
def test_export_queries_stay_constant(world, client, name, django_assert_max_num_queries):
    from tests import factories as f

    for i in range(15):
        household = f.HouseholdFactory(building=world.building1, room=f"9{i:02d}")
        f.VisitFactory(household=household, visitor=world.users["grid_worker"])
        f.BuildingFactory(grid=world.grid1, name=f"新{i}号楼")
    client.force_login(world.users["committee"])
    with django_assert_max_num_queries(25):
        response = client.get(reverse(f"community_{name}:index"), {"export": "csv"})
        rows = read_csv(response)
    assert len(rows) > 2
