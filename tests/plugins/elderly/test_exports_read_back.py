"""The canteen's eligibility-exception and dietary-note lists export their rows, read
back from the file, in the user's grids only."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from plugins.elderly.models import Diner, EligibilityGrant

pytestmark = pytest.mark.django_db


def rows_of(response, fmt):
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8"))))
    return [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_grants_and_diners_exports(world, client, fmt):
    grant = EligibilityGrant.objects.create(resident=world.resident1, reason="残疾，65岁")
    other = EligibilityGrant.objects.create(resident=world.resident2, reason="独居")
    diner = Diner.objects.create(resident=world.resident1, option="soft", dietary_note="忌辣")
    client.force_login(world.users["committee"])
    rows = rows_of(client.get(reverse("elderly_grants:index"), {"export": fmt}), fmt)
    found = {int(r[0]): r for r in rows[1:]}
    assert set(found) == {grant.pk, other.pk}
    assert found[grant.pk][1:4] == ["王小明", "第一网格", "残疾，65岁"]
    rows = rows_of(client.get(reverse("elderly_diners:index"), {"export": fmt}), fmt)
    found = {int(r[0]): r for r in rows[1:]}
    assert found[diner.pk][1] == "王小明" and "忌辣" in found[diner.pk]
    assert found[diner.pk][3] == diner.get_option_display()
    client.force_login(world.users["grid_worker"])
    rows = rows_of(client.get(reverse("elderly_grants:index"), {"export": fmt}), fmt)
    assert {int(r[0]) for r in rows[1:]} == {grant.pk}
