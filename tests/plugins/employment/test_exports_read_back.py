"""The job-seeker and migrant-work exports write their rows (they used to download one
blank row per record): each file read back holds the records of the user's grids."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from plugins.employment.models import MigrantWork

from .conftest import make_seeker

pytestmark = pytest.mark.django_db


def rows_of(response, fmt):
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8"))))
    return [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_job_seekers_export(world, client, fmt):
    one = make_seeker(world.resident1, skills="电焊", min_pay=4000)
    two = make_seeker(world.resident2, skills="缝纫")
    client.force_login(world.users["committee"])
    rows = rows_of(client.get(reverse("employment_seekers:index"), {"export": fmt}), fmt)
    assert rows[0][:3] == ["编号", "居民", "网格"]
    found = {int(r[0]): r for r in rows[1:]}
    assert set(found) == {one.pk, two.pk}
    assert found[one.pk][1:3] == ["王小明", "第一网格"]
    assert "电焊" in found[one.pk] and world.resident1.masked_phone in found[one.pk]
    assert world.resident1.phone not in repr(rows)
    client.force_login(world.users["grid_worker"])
    rows = rows_of(client.get(reverse("employment_seekers:index"), {"export": fmt}), fmt)
    assert {int(r[0]) for r in rows[1:]} == {one.pk}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_migrant_work_export(world, client, fmt):
    one = MigrantWork.objects.create(
        resident=world.resident1,
        place="浙江省宁波市",
        employer="宁波纺织厂",
        since=datetime.date(2025, 3, 1),
    )
    two = MigrantWork.objects.create(
        resident=world.resident2, place="广东省东莞市", since=datetime.date(2024, 1, 1)
    )
    client.force_login(world.users["committee"])
    rows = rows_of(client.get(reverse("employment_migrant_work:index"), {"export": fmt}), fmt)
    found = {int(r[0]): r for r in rows[1:]}
    assert set(found) == {one.pk, two.pk}
    assert found[one.pk][1:5] == ["王小明", "第一网格", "浙江省宁波市", "宁波纺织厂"]
    client.force_login(world.users["grid_worker"])
    rows = rows_of(client.get(reverse("employment_migrant_work:index"), {"export": fmt}), fmt)
    assert {int(r[0]) for r in rows[1:]} == {one.pk}
