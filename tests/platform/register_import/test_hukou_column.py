"""The import's optional 户籍地 column (township of household registration, issue 20):
a township's name or code sets ``Resident.hukou_township``; an unknown one is a row
error in Chinese; a blank cell leaves what the register holds; importing the same file
twice changes nothing. And the template workbook the upload page offers."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from anju.community.models import Resident, Township
from anju.register.models import RegisterImport

from . import test_import as base
from .test_import import HEADER, csv_file, good_rows, idn, upload, xlsx

run_import = base.run_import  # the fixtures
groups = base.groups

pytestmark = pytest.mark.django_db

WITH_HUKOU = HEADER + ["户籍地"]


@pytest.fixture
def townships(world):
    t1 = Township.objects.create(code="anju_town", name="安居镇")
    t2 = Township.objects.create(code="chengguan", name="城关镇")
    world.community.township = t1
    world.community.save(update_fields=["township"])
    return t1, t2


def test_the_township_of_registration_by_name_or_code(client, world, townships, run_import):
    t1, t2 = townships
    rows = [
        ["1号楼", "1单元", "701", "户籍甲", idn(41), "", "户主", "", "城关镇"],
        ["1号楼", "1单元", "701", "户籍乙", idn(42), "", "配偶", "", "ANJU_TOWN"],
        ["1号楼", "1单元", "701", "户籍丙", idn(43), "", "子女", "", ""],
    ]
    upload(client, world.users["committee"], xlsx(rows, header=WITH_HUKOU))
    batch = RegisterImport.objects.get()
    assert batch.state == RegisterImport.State.CHECKED, batch.errors
    run_import(client, batch)
    got = dict(
        Resident.objects.filter(name__startswith="户籍").values_list("name", "hukou_township")
    )
    assert got == {"户籍甲": t2.pk, "户籍乙": t1.pk, "户籍丙": None}


def test_an_unknown_township_is_a_row_error_in_chinese(client, world, townships):
    rows = [
        ["1号楼", "1单元", "702", "户籍丁", idn(44), "", "户主", "", "火星乡"],
        ["1号楼", "1单元", "702", "户籍戊", idn(45), "", "配偶", "", "城关镇"],
    ]
    before = Resident.objects.count()
    upload(client, world.users["committee"], xlsx(rows, header=WITH_HUKOU))
    batch = RegisterImport.objects.get()
    assert batch.state == RegisterImport.State.INVALID
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "户籍地")]
    assert "未知乡镇“火星乡”" in batch.errors[0]["message"]
    page = client.get(reverse("anju_register_import", args=[batch.pk])).content.decode()
    assert "未知乡镇“火星乡”" in page
    assert Resident.objects.count() == before


def test_a_blank_cell_keeps_the_registered_township_and_a_named_one_changes_it(
    client, world, townships, run_import
):
    t1, t2 = townships
    committee = world.users["committee"]
    rows = [
        ["1号楼", "1单元", "703", "户籍己", idn(46), "", "户主", ""],
        ["1号楼", "1单元", "703", "户籍庚", idn(47), "", "配偶", ""],
    ]
    upload(client, committee, csv_file([row + ["城关镇"] for row in rows], header=WITH_HUKOU))
    run_import(client, RegisterImport.objects.latest("pk"))
    assert set(
        Resident.objects.filter(name__startswith="户籍").values_list("hukou_township", flat=True)
    ) == {t2.pk}

    # Blank: left as it is — nothing to change.
    upload(client, committee, csv_file([row + [""] for row in rows], header=WITH_HUKOU))
    batch = RegisterImport.objects.latest("pk")
    assert batch.preview["residents_unchanged"] == 2, batch.preview
    run_import(client, batch)
    assert set(
        Resident.objects.filter(name__startswith="户籍").values_list("hukou_township", flat=True)
    ) == {t2.pk}

    # One row names another township: that resident changes, the blank one keeps its.
    second = [rows[0] + ["anju_town"], rows[1] + [""]]
    upload(client, committee, csv_file(second, header=WITH_HUKOU))
    batch = RegisterImport.objects.latest("pk")
    assert batch.preview["residents_changed"] == 1, batch.preview
    run_import(client, batch)
    got = dict(
        Resident.objects.filter(name__startswith="户籍").values_list("name", "hukou_township")
    )
    assert got == {"户籍己": t1.pk, "户籍庚": t2.pk}

    # The same file again changes nothing.
    upload(client, committee, csv_file(second, header=WITH_HUKOU))
    again = RegisterImport.objects.latest("pk")
    assert (again.preview["residents_changed"], again.preview["residents_unchanged"]) == (0, 2)


def test_a_file_without_the_column_still_imports(client, world, groups, townships, run_import):
    upload(client, world.users["committee"], xlsx(good_rows()))
    batch = RegisterImport.objects.get()
    assert batch.state == RegisterImport.State.CHECKED
    run_import(client, batch)
    assert set(Resident.objects.filter(name="张建国").values_list("hukou_township", flat=True)) == {
        None
    }


@pytest.mark.parametrize("role", ["committee", "grid_worker"])
def test_the_template_workbook_names_every_column(client, world, role):
    client.force_login(world.users[role])
    page = client.get(reverse("anju_register_import_upload"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert reverse("anju_register_import_template") in page.content.decode()
    assert "户籍地" in page.content.decode()
    response = client.get(reverse("anju_register_import_template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in book.worksheets[0][1]]
    assert header == WITH_HUKOU
    assert book.worksheets[0].cell(row=2, column=5).number_format == "@"  # ID as text
    assert len(book.worksheets) == 2  # and the notes sheet


def test_the_template_is_refused_to_who_may_not_import(client, world):
    client.force_login(world.users["resident_rep"])
    assert client.get(reverse("anju_register_import_template")).status_code in (302, 403)


@pytest.mark.parametrize("role", ["COUNTY_STAFF", "TOWNSHIP_STAFF", "TOWNSHIP_DESK"])
def test_the_roles_above_the_community_read_but_do_not_import(client, world, townships, role):
    from anju.permissions import roles
    from tests import factories as f

    user = f.UserFactory(username=f"above-{role.lower()}", role=getattr(roles, role))
    t1, _t2 = townships
    t1.staff.add(user)
    t1.desk_staff.add(user)
    client.force_login(user)
    for url in (reverse("anju_register_import_upload"), reverse("anju_register_import_template")):
        assert client.get(url).status_code in (302, 403), (role, url)
    response = client.post(
        reverse("anju_register_import_upload"), {"file": xlsx(good_rows(), header=HEADER)}
    )
    assert response.status_code in (302, 403)
    assert not RegisterImport.objects.exists()
