"""Importing households and residents from a spreadsheet, through the admin as staff use
it: upload → dry run (row errors in Chinese, nothing saved) → start → progress → done,
audited, idempotent, scoped per role."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from anju.community.idnumbers import make_id_number
from anju.community.models import Household, Resident, SpecialGroup
from anju.core.models import AuditEntry
from anju.register.models import RegisterImport
from anju.register.tasks import import_rows

pytestmark = pytest.mark.django_db

HEADER = ["楼栋", "单元", "房号", "姓名", "身份证号", "电话", "与户主关系", "特殊群体"]


def idn(seq, born=datetime.date(1960, 5, 1)):
    return make_id_number("410105", born, seq)


def good_rows():
    return [
        ["1号楼", "1单元", "301", "张建国", idn(11), "13800000001", "户主", "低保"],
        ["1号楼", "1单元", "301", "李秀英", idn(12), "", "配偶", ""],
        ["1号楼", "1单元", "301", "张小军", idn(13, datetime.date(1990, 2, 3)), "", "子女", ""],
        [
            "1号楼",
            "2单元",
            "402",
            "赵老汉",
            idn(15, datetime.date(1940, 1, 1)),
            "",
            "户主",
            "独居、残疾人",
        ],
    ]


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("名册.xlsx", out.getvalue())


def csv_file(rows, encoding="utf-8-sig", header=HEADER) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile("名册.csv", out.getvalue().encode(encoding))


@pytest.fixture
def groups(db):
    for code, name in SpecialGroup.BUILT_IN.items():
        SpecialGroup.objects.get_or_create(code=code, defaults={"name": name, "built_in": True})


def upload(client, user, file):
    client.force_login(user)
    return client.post(reverse("anju_register_import_upload"), {"file": file})


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    """Start a checked import as staff do; the outbox hands it to Celery on commit and
    the tasks run in-process in tests (the worker test below runs a real one)."""

    def run(client, batch):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("anju_register_import_start", args=[batch.pk]))
        assert response.status_code in (302, 404)
        batch.refresh_from_db()
        return batch

    return run


def status(client, batch):
    return client.get(reverse("anju_register_import_status", args=[batch.pk])).json()


def test_dry_run_lists_every_row_error_in_chinese_and_saves_nothing(
    client, world, groups, run_import
):
    bad_check = idn(21)[:-1] + ("0" if idn(21)[-1] != "0" else "1")
    rows = good_rows() + [
        ["1号楼", "1单元", "302", "错号", bad_check, "", "户主", ""],  # row 6
        ["9号楼", "1单元", "101", "无楼", idn(22), "", "户主", ""],  # row 7: unknown building
        ["1号楼", "1单元", "303", "重号", idn(11), "", "户主", ""],  # row 8: same as row 2
        ["1号楼", "1单元", "304", "坏电话", idn(23), "12345", "户主", ""],  # row 9
        ["1号楼", "1单元", "305", "怪关系", idn(24), "", "邻居", ""],  # row 10
        ["1号楼", "1单元", "306", "", idn(25), "", "户主", "不存在的群体"],  # row 11: two
    ]
    before = (Resident.objects.count(), Household.objects.count())

    response = upload(client, world.users["committee"], xlsx(rows))

    assert response.status_code == 302
    batch = RegisterImport.objects.get()
    assert batch.state == RegisterImport.State.INVALID
    page = client.get(response["Location"]).content.decode()
    errors = {(e["row"], e["message"]) for e in batch.errors}
    messages = " ".join(m for _r, m in errors)
    assert {row for row, _m in errors} == {6, 7, 8, 9, 10, 11}
    assert batch.error_count == 7
    assert "这个身份证号的最后一位对不上" in messages
    assert "未知楼栋“9号楼”" in messages
    assert "与本文件第 2 行的身份证号相同" in messages
    assert "未知的与户主关系“邻居”" in messages
    assert "未知的特殊群体“不存在的群体”" in messages
    assert "此单元格为空" in messages
    assert "未知楼栋“9号楼”" in page and "没有保存任何内容" in page
    assert (Resident.objects.count(), Household.objects.count()) == before
    # An invalid file cannot be started.
    run_import(client, batch)
    assert batch.state == RegisterImport.State.INVALID
    assert Resident.objects.count() == before[0]


def test_a_file_without_the_columns_or_of_another_kind_is_refused_in_chinese(client, world):
    response = upload(client, world.users["committee"], xlsx([["x"]], header=["甲", "乙"]))
    batch = RegisterImport.objects.get()
    assert "缺少列" in batch.errors[0]["message"]
    response = upload(client, world.users["committee"], SimpleUploadedFile("a.pdf", b"%PDF-1"))
    assert response.status_code == 200
    assert "请上传 Excel 工作簿（.xlsx）或 CSV 文件（.csv）" in response.content.decode()
    response = upload(
        client, world.users["committee"], SimpleUploadedFile("a.xlsx", b"not a workbook")
    )
    assert response.status_code == 200
    assert "无法读取" in response.content.decode()


def test_import_adds_households_residents_heads_and_groups_and_is_audited(
    client, world, groups, run_import
):
    committee = world.users["committee"]
    response = upload(client, committee, xlsx(good_rows()))
    batch = RegisterImport.objects.get()
    assert batch.state == RegisterImport.State.CHECKED
    assert batch.preview == {
        "households_new": 2,
        "residents_new": 4,
        "residents_changed": 0,
        "residents_unchanged": 0,
    }
    assert "户主" not in str(batch.rows)[:0]  # rows are kept, encrypted (below)
    page = client.get(response["Location"]).content.decode()
    assert "尚未保存任何内容" in page

    batch = run_import(client, batch)  # tasks run in-process in tests

    assert batch.state == RegisterImport.State.DONE
    assert batch.rows == []  # the checked rows (ID numbers) are dropped once imported
    assert status(client, batch)["percent"] == 100
    flat = Household.objects.get(building=world.building1, unit="1单元", room="301")
    members = {r.name: r for r in flat.residents.all()}
    assert set(members) == {"张建国", "李秀英", "张小军"}
    assert flat.head == members["张建国"]
    head = members["张建国"]
    assert head.id_number == idn(11) and head.phone == "13800000001"
    assert head.gender == "M" and head.birth_date == datetime.date(1960, 5, 1)
    assert [g.code for g in head.groups.all()] == ["low_income"]
    assert members["李秀英"].relation == Resident.Relation.SPOUSE
    old = Resident.objects.get(name="赵老汉")
    assert {g.code for g in old.groups.all()} == {"living_alone", "disabled"}
    assert Resident.objects.with_phone("13800000001").get() == head
    actions = set(
        AuditEntry.objects.filter(object_id=str(batch.pk)).values_list("action", "user__username")
    )
    assert actions == {
        ("register_import_checked", "committee"),
        ("register_import", "committee"),
        ("register_import_done", "committee"),
    }


def test_importing_the_same_file_again_changes_nothing(client, world, groups, run_import):
    committee = world.users["committee"]
    upload(client, committee, csv_file(good_rows()))
    run_import(client, RegisterImport.objects.get())
    snapshot = list(
        Resident.objects.order_by("pk").values_list("pk", "name", "household_id", "updated_at")
    )
    households = list(Household.objects.order_by("pk").values_list("pk", "head_id", "updated_at"))

    upload(client, committee, csv_file(good_rows(), encoding="gb18030"))  # as Excel saves it
    again = RegisterImport.objects.latest("pk")
    assert again.preview == {
        "households_new": 0,
        "residents_new": 0,
        "residents_changed": 0,
        "residents_unchanged": 4,
    }
    again = run_import(client, again)

    assert again.state == RegisterImport.State.DONE
    assert (again.residents_created, again.residents_updated) == (0, 0)
    assert again.residents_unchanged == 4
    assert (
        list(
            Resident.objects.order_by("pk").values_list("pk", "name", "household_id", "updated_at")
        )
        == snapshot
    )
    assert (
        list(Household.objects.order_by("pk").values_list("pk", "head_id", "updated_at"))
        == households
    )


def test_a_changed_row_updates_the_registered_resident_matched_by_id_number(
    client, world, groups, run_import
):
    committee = world.users["committee"]
    number = world.resident1.id_number
    world.resident2.phone = "13700000002"
    world.resident2.save()
    rows = [
        ["1号楼", "1单元", "501", "王晓明", number, "13900000009", "户主", ""],
        # the phone left empty: the registered number is cleared, digest and all
        ["2号楼", "1单元", "502", "李改名", world.resident2.id_number, "", "配偶", ""],
    ]
    upload(client, committee, xlsx(rows))
    batch = RegisterImport.objects.get()
    assert batch.preview["residents_changed"] == 2, (batch.errors, batch.preview)
    assert batch.preview["residents_new"] == 0
    run_import(client, batch)
    world.resident1.refresh_from_db()
    assert world.resident1.name == "王晓明"
    assert world.resident1.household.room == "501"
    assert world.resident1.phone == "13900000009"
    assert Resident.objects.with_phone("13900000009").get() == world.resident1
    assert Resident.objects.filter(id_number_digest=world.resident1.id_number_digest).count() == 1
    world.resident2.refresh_from_db()
    assert (world.resident2.name, world.resident2.relation) == ("李改名", Resident.Relation.SPOUSE)
    assert world.resident2.phone is None and world.resident2.phone_digest == ""
    assert not Resident.objects.with_phone("13700000002").exists()
    assert world.resident2.household.building == world.building2


def test_progress_is_counted_step_by_step(client, world, groups, settings):
    settings.REGISTER_IMPORT_STEP = 3
    committee = world.users["committee"]
    upload(client, committee, xlsx(good_rows()))
    batch = RegisterImport.objects.get()
    assert status(client, batch)["state"] == "checked"

    # As a worker runs it: the first step, then the poll, then the rest.
    batch.state = RegisterImport.State.QUEUED
    batch.save()
    step = import_rows(batch.pk, 0)
    first = status(client, batch)
    assert (first["state"], first["done"], first["total"], first["percent"]) == (
        "running",
        3,
        4,
        75,
    )
    assert first["finished"] is False
    import_rows(**step.kwargs)
    last = status(client, batch)
    assert (last["state"], last["done"], last["percent"], last["finished"]) == (
        "done",
        4,
        100,
        True,
    )
    assert last["residents_created"] == 4
    # A step run twice (a worker died after its commit) counts nothing twice.
    import_rows(batch.pk, 0)
    assert status(client, batch)["residents_created"] == 4


def test_the_progress_page_polls_the_status_endpoint(client, world, groups, run_import):
    upload(client, world.users["committee"], xlsx(good_rows()))
    batch = run_import(client, RegisterImport.objects.get())
    page = client.get(reverse("anju_register_import", args=[batch.pk])).content.decode()
    assert "<progress" in page
    assert reverse("anju_register_import_status", args=[batch.pk]) in page


def test_a_grid_worker_imports_only_into_their_grids_buildings(client, world, groups, run_import):
    worker = world.users["grid_worker"]  # grid 1: 1号楼; 2号楼 is grid 2's
    rows = [
        ["1号楼", "1单元", "601", "甲", idn(31), "", "户主", ""],
        ["2号楼", "1单元", "601", "乙", idn(32), "", "户主", ""],
        # already registered in grid 2: not theirs to move
        ["1号楼", "1单元", "602", "丙", world.resident2.id_number, "", "户主", ""],
    ]
    upload(client, worker, xlsx(rows))
    batch = RegisterImport.objects.get()
    assert batch.state == RegisterImport.State.INVALID
    by_row = {e["row"]: e["message"] for e in batch.errors}
    assert set(by_row) == {3, 4}
    assert "未知楼栋“2号楼”" in by_row[3]
    assert "不归您负责的网格" in by_row[4]

    upload(client, worker, xlsx(rows[:1]))
    batch = RegisterImport.objects.latest("pk")
    run_import(client, batch)
    assert Resident.objects.get(name="甲").household.building == world.building1


@pytest.mark.parametrize("role", ["resident_rep", "service_staff", "resident"])
def test_other_roles_are_refused(client, world, role):
    client.force_login(world.users[role])
    response = client.get(reverse("anju_register_import_upload"))
    assert response.status_code in (302, 403)
    response = client.post(reverse("anju_register_import_upload"), {"file": xlsx(good_rows())})
    assert response.status_code in (302, 403)
    assert not RegisterImport.objects.exists()


def test_someone_elses_import_is_a_404(client, world, groups):
    upload(client, world.users["committee"], xlsx(good_rows()))
    batch = RegisterImport.objects.get()
    client.force_login(world.users["grid_worker"])
    assert client.get(reverse("anju_register_import", args=[batch.pk])).status_code == 404
    assert client.post(reverse("anju_register_import_start", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.state == RegisterImport.State.CHECKED


@pytest.mark.parametrize("role", ["committee", "grid_worker"])
def test_the_menu_shows_the_import_to_who_may_import(client, world, role):
    client.force_login(world.users[role])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("anju_register_import_upload") in page


@pytest.mark.parametrize("role", ["resident_rep", "service_staff"])
def test_the_menu_hides_the_import_from_others(client, world, role):
    client.force_login(world.users[role])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("anju_register_import_upload") not in page


def test_the_progress_poll_never_reads_the_checked_rows(client, world, groups):
    """The rows (the whole file, encrypted) are decrypted by the worker only: the status
    endpoint the bar polls every second, the page and the start button leave them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    upload(client, world.users["committee"], xlsx(good_rows()))
    batch = RegisterImport.objects.get()
    table = RegisterImport._meta.db_table
    for url in (
        reverse("anju_register_import_status", args=[batch.pk]),
        reverse("anju_register_import", args=[batch.pk]),
        reverse("anju_register_import_upload"),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        reads = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]
        assert reads, url
        assert not any(f'"{table}"."rows"' in sql for sql in reads), url
