"""The community-wide duplicate-ID-number check tells a grid worker something about a
grid they may not see: every check through the admin or the API is audited and
rate-limited per user, with a clear message when the limit is reached."""

import datetime

import pytest
from django.urls import reverse

from anju.community.idnumbers import make_id_number
from anju.community.models import Resident
from anju.core.models import AuditEntry
from anju.permissions.lookups import CHECK_ID_NUMBER

pytestmark = pytest.mark.django_db

BORN = datetime.date(1985, 3, 9)


def admin_data(world, id_number, born=BORN):
    return {
        "household": world.household1.pk,
        "name": "赵新来",
        "gender": "M",
        "birth_date": born.isoformat(),
        "id_number": id_number,
        "phone": "13912345678",
        "relation": Resident.Relation.CHILD,
        "note": "",
    }


def post_admin(client, data):
    return client.post(reverse("community_resident:add"), data)


def test_a_duplicate_in_another_grid_is_refused_and_audited(client, world):
    worker = world.users["grid_worker"]
    client.force_login(worker)
    other = world.resident2  # grid 2, which the grid worker cannot see
    response = post_admin(client, admin_data(world, other.id_number, other.birth_date))
    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors
    entry = AuditEntry.objects.get(action=CHECK_ID_NUMBER)
    assert entry.user == worker and entry.object_id == str(other.pk) and entry.where == "admin"
    assert Resident.objects.filter(name="赵新来").count() == 0


def test_a_check_that_finds_nobody_is_audited_too(client, world):
    worker = world.users["grid_worker"]
    client.force_login(worker)
    response = post_admin(client, admin_data(world, make_id_number("411421", BORN, 321)))
    assert response.status_code == 302  # registered
    entry = AuditEntry.objects.get(action=CHECK_ID_NUMBER)
    assert entry.user == worker and entry.object_id == str(world.household1.pk)


def test_the_check_is_rate_limited_with_a_clear_message(client, world, settings):
    settings.ID_NUMBER_CHECK_RATE = "2/h"
    client.force_login(world.users["grid_worker"])
    for sequence in (401, 402):
        data = admin_data(world, make_id_number("411421", BORN, sequence))
        data["name"] = f"新来{sequence}"
        assert post_admin(client, data).status_code == 302
    response = post_admin(client, admin_data(world, make_id_number("411421", BORN, 403)))
    errors = response.context["form"].errors.as_data()["id_number"]
    assert [e.code for e in errors] == ["throttled"]
    assert "核对" in response.content.decode() or "Too many" in str(errors[0].message)
    assert AuditEntry.objects.filter(action=CHECK_ID_NUMBER).count() == 2  # not counted in
    assert not Resident.objects.filter(name="赵新来").exists()


def test_the_api_check_is_audited_and_limited(client, world, settings):
    settings.ID_NUMBER_CHECK_RATE = "1/h"
    worker = world.users["grid_worker"]
    client.force_login(worker)
    other = world.resident2
    data = admin_data(world, other.id_number, other.birth_date)
    del data["note"]
    response = client.post("/api/community/residents/", data, content_type="application/json")
    assert response.status_code == 400 and "id_number" in response.json()
    entry = AuditEntry.objects.get(action=CHECK_ID_NUMBER)
    assert entry.object_id == str(other.pk) and entry.where == "api"
    data["id_number"] = make_id_number("411421", BORN, 555)
    data["birth_date"] = BORN.isoformat()
    response = client.post("/api/community/residents/", data, content_type="application/json")
    assert response.status_code == 429
    assert not Resident.objects.filter(name="赵新来").exists()
