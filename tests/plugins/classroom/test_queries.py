"""Every list costs the same number of queries whatever its length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plugins.classroom import care
from plugins.classroom.models import CallTask, Guardian, PickupFlag

from .conftest import make_child

pytestmark = pytest.mark.django_db


def grow(room, world, count, start):
    room.klass.capacity = 100
    room.klass.save()
    for i in range(count):
        child = make_child(world.household1, f"孩子{start + i}")
        enrolment = care.enrol(room.klass, child, consent_by="奶奶")
        Guardian.objects.create(
            child=child, name="奶奶", relation="grandmother", phone="13900009999"
        )
        care.check_in(enrolment)
        PickupFlag.objects.create(enrolment=enrolment, person="某人")
        CallTask.objects.create(enrolment=enrolment, day="2026-01-05")


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "classroom_admin:children",
        "classroom_admin:calls",
        "classroom_admin:figures",
        "door",
        "/api/classroom/enrolments/",
        "/api/classroom/attendance/",
        "/api/classroom/calls/",
        "/api/classroom/classes/",
        "classroom:index",
    ],
)
@pytest.mark.parametrize("role", ["service_staff", "grid_worker"])
def test_lists_cost_the_same_at_two_sizes(room, world, client, url, role):
    if url == "door" and role == "grid_worker":
        role = "committee"  # the door is for the classroom's staff and the committee
    client.force_login(world.users[role])
    if url == "door":
        url = reverse("classroom_admin:door_class", kwargs={"pk": room.klass.pk})
    elif not url.startswith("/"):
        url = reverse(url)
    grow(room, world, 2, 0)
    count(client, url)  # warm the per-process caches (content types, plugin state)
    small = count(client, url)
    grow(room, world, 6, 10)
    # Enrolments are portal_models: saving them moved the publish generation, so the
    # per-process caches fill again once (the same after any publish).
    count(client, url)
    assert count(client, url) == small
