"""Importing N residents (100,000) from a spreadsheet into the register: time, in-process.

    DATABASE_URL=postgres://... DJANGO_SETTINGS_MODULE=anju.settings.test \
        .venv/bin/python benchmarks/register_import.py [N] [--keepdb]

Makes a workbook of N residents (three or four to a household, over five grids and their
buildings) in a scratch test database (SQLite in memory unless DATABASE_URL says
otherwise; the target is under 60 s on PostgreSQL from upload to the last row), then
prints figures; it asserts nothing. Each line gives the wall time, this process's CPU
time and, on a PostgreSQL on this machine, the CPU time of the database backend serving
it (/proc), so a figure taken on a busy machine still says what the import costs; the
load average is printed at the start and the end. ``--keepdb`` keeps the scratch
database between runs (its register emptied first) instead of migrating a new one.

* read the file (python-calamine: the .xlsx as uploaded, and the same rows as CSV);
* check every row (the dry run: ID check digits, duplicates, buildings, the register);
* the import as the worker runs it: the outbox handler step by step
  (``REGISTER_IMPORT_STEP`` rows a step), printing the progress the bar shows;
* the same file again: checked and imported, it changes nothing.
"""

import datetime
import io
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.test")
os.environ.setdefault("ANJU_TEST_PLUGINS", "")  # the platform alone, no dummy plugin
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
logging.disable(logging.WARNING)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
KEEPDB = "--keepdb" in sys.argv
N = int(ARGS[0]) if ARGS else 100_000
GRIDS = 5
BUILDINGS = 40
HEADER = ["楼栋", "单元", "房号", "姓名", "身份证号", "电话", "与户主关系", "特殊群体"]
RELATIONS = ["户主", "配偶", "子女", "父母"]


def make_rows(n: int) -> list[list]:
    from anju.community.idnumbers import make_id_number

    rows = []
    for i in range(n):
        household = i // 4 if i % 7 else i // 3  # three or four to a household
        born = datetime.date(1940 + i % 60, 1 + i % 12, 1 + i % 28)
        rows.append(
            [
                f"{1 + household % BUILDINGS}号楼",
                f"{1 + (household // BUILDINGS) % 6}单元",
                f"{household // (BUILDINGS * 6)}",
                f"居民{i}",
                make_id_number(f"41{(i // 1000) % 100:02d}05", born, i % 1000),
                f"138{i:08d}" if i % 2 else "",
                RELATIONS[i % 4],
                "低保" if i % 50 == 0 else ("独居、残疾人" if i % 97 == 0 else ""),
            ]
        )
    return rows


def workbook(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def backend_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL backend serving this connection (read
    from /proc when the server runs on this machine); 0 elsewhere."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


class Cost:
    """Wall, CPU (this process) and database CPU seconds, added up over steps."""

    def __init__(self, wall=0.0, cpu=0.0, db=0.0):
        self.wall, self.cpu, self.db = wall, cpu, db

    def __add__(self, other):
        return Cost(self.wall + other.wall, self.cpu + other.cpu, self.db + other.db)

    def __str__(self):
        return f"{self.wall:7.1f} s wall, cpu {self.cpu:6.1f} s + db {self.db:5.1f} s"


def timed(label: str, count: int, fn):
    wall, cpu, db = time.perf_counter(), time.process_time(), backend_cpu()
    result = fn()
    cost = Cost(time.perf_counter() - wall, time.process_time() - cpu, backend_cpu() - db)
    rate = f"{count / cost.wall:>9,.0f}/s" if count and cost.wall else ""
    print(f"{label:<40}{cost.wall:>7.2f} s  cpu {cost.cpu:6.2f} s  db {cost.db:5.2f} s {rate}")
    return result, cost


def setup_register():
    from django.contrib.auth import get_user_model

    from anju.community.models import Building, Community, Grid, Household, Resident, SpecialGroup
    from anju.permissions.roles import setup_roles
    from anju.register.models import RegisterImport

    if KEEPDB:  # an earlier run's database: empty its register
        Resident.groups.through.objects.all().delete()
        Household.objects.update(head=None)
        Resident.objects.all().delete()
        Household.objects.all().delete()
        RegisterImport.objects.all().delete()
        if Building.objects.filter(grid__community__code="bench").count() == BUILDINGS:
            return get_user_model().objects.get(username="root")
        Building.objects.all().delete()
        Grid.objects.all().delete()
        Community.objects.filter(code="bench").delete()
    setup_roles()
    for code, name in SpecialGroup.BUILT_IN.items():
        SpecialGroup.objects.get_or_create(code=code, defaults={"name": name, "built_in": True})
    community = Community.objects.create(name="基准社区", code="bench")
    grids = [
        Grid.objects.create(community=community, number=i, name=f"第{i}网格")
        for i in range(1, GRIDS + 1)
    ]
    for b in range(BUILDINGS):
        Building.objects.create(grid=grids[b % GRIDS], name=f"{b + 1}号楼", sort_order=b)
    return get_user_model().objects.update_or_create(
        username="root", defaults={"is_superuser": True}
    )[0]


def import_once(label, content, user):
    from anju.register.imports import check, read_table
    from anju.register.models import RegisterImport
    from anju.register.tasks import import_rows

    print(f"\n{label}")
    dataset, read = timed("  read the .xlsx", N, lambda: read_table(content, "名册.xlsx"))
    result, checked = timed("  check every row (dry run)", N, lambda: check(dataset, user))
    assert not result.error_count, result.errors[:5]
    print(f"  dry run: {result.preview}")

    def save():
        return RegisterImport.objects.create(
            user=user,
            file_name="名册.xlsx",
            state=RegisterImport.State.QUEUED,
            total=len(result.rows),
            preview=result.preview,
            rows=result.rows,
        )

    batch, saved = timed("  keep the checked rows (encrypted)", N, save)

    def run():
        kwargs = {"import_id": batch.pk, "start": 0}
        started, cpu = time.perf_counter(), time.process_time()
        while True:
            step = import_rows(**kwargs)
            # What the progress bar's poll reads (never the encrypted rows).
            batch.refresh_from_db(fields=["done", "total"])
            print(
                f"    progress {batch.percent:>3}%  {batch.done:>7,} / {batch.total:,}"
                f"  {time.perf_counter() - started:6.1f} s  cpu {time.process_time() - cpu:5.1f} s"
            )
            if not hasattr(step, "kwargs"):
                return step
            kwargs = step.kwargs

    _, imported = timed("  import (the worker's steps)", N, run)
    batch = RegisterImport.objects.defer("rows").get(pk=batch.pk)
    print(
        f"  households added {batch.households_created:,}, residents added "
        f"{batch.residents_created:,}, changed {batch.residents_updated:,}, "
        f"unchanged {batch.residents_unchanged:,}"
    )
    total = read + checked + saved + imported
    print(f"  upload to last row: {total}  ({load()})")
    return total


def main():
    from django.conf import settings

    from anju.community.models import Household, Resident
    from anju.register.imports import read_table

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=KEEPDB)
    try:
        print(
            f"{N:,} residents, {BUILDINGS} buildings in {GRIDS} grids, {connection.vendor}, "
            f"{settings.REGISTER_IMPORT_STEP:,} rows a step; {load()}"
        )
        user = setup_register()
        rows, _ = timed("make the rows", N, lambda: make_rows(N))
        content, _ = timed("write them as .xlsx", N, lambda: workbook(rows))
        as_csv = csv_bytes(rows)
        print(f"file sizes: xlsx {len(content) / 1e6:.1f} MB, csv {len(as_csv) / 1e6:.1f} MB")
        timed("read the same rows as CSV", N, lambda: read_table(as_csv, "名册.csv"))
        first = import_once("first import", content, user)
        second = import_once("the same file again", content, user)
        print(
            f"\nregister: {Household.objects.count():,} households, "
            f"{Resident.objects.count():,} residents\nfirst import {first}\n"
            f"again        {second}\n(target < 60 s wall; {load()})"
        )
    finally:
        if not KEEPDB:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
