"""Each role at each endpoint of the plugin: what it may open, and that a grid worker
never sees another grid's hazards or gas statuses. (Partner staff: test_escalation.)"""

import pytest
from django.urls import reverse
from django.utils import timezone

from plugins.safety import handling
from plugins.safety.models import GasState, SafetyTalk

pytestmark = pytest.mark.django_db

ROLES = [
    "superuser",
    "committee",
    "grid_worker",
    "resident_rep",
    "service_staff",
    "partner_staff",
    "resident",
]


@pytest.fixture
def data(world):
    worker, committee = world.users["grid_worker"], world.users["committee"]
    mine = handling.file_hazard(world.household1, item="sockets", actor=worker)
    theirs = handling.file_hazard(world.household2, item="escape", actor=committee)
    handling.set_gas_state(world.household1, GasState.LPG, 1)
    handling.set_gas_state(world.household2, GasState.CONNECTED)
    talk = SafetyTalk.objects.create(
        community=world.community,
        title="消防演练",
        kind="drill",
        starts_at=timezone.now(),
        place="广场",
    )
    return mine, theirs, talk


#: role → (hazards it lists, gas statuses it lists); None: refused.
SEES = {
    "superuser": (2, 2),
    "committee": (2, 2),
    "grid_worker": (1, 1),
    "resident_rep": (1, 1),
    "service_staff": (None, None),
    "partner_staff": (0, None),
    "resident": (None, None),
}


@pytest.mark.parametrize("role", ROLES)
def test_api_lists_per_role(world, data, client, role):
    client.force_login(world.users[role])
    hazards, gas = SEES[role]
    response = client.get("/api/safety/hazards/")
    if hazards is None:
        assert response.status_code == 403
    else:
        assert response.status_code == 200 and response.json()["count"] == hazards
    response = client.get("/api/safety/gas/")
    if gas is None:
        assert response.status_code == 403
    else:
        assert response.status_code == 200 and response.json()["count"] == gas


@pytest.mark.parametrize("role", ROLES)
def test_api_detail_of_another_grid(world, data, client, role):
    mine, theirs, _talk = data
    client.force_login(world.users[role])
    response = client.get(f"/api/safety/hazards/{theirs.pk}/")
    expected = {"superuser": 200, "committee": 200, "service_staff": 403, "resident": 403}
    assert response.status_code == expected.get(role, 404)


@pytest.mark.parametrize("role", ROLES)
def test_admin_pages_per_role(world, data, client, role):
    mine, theirs, talk = data
    client.force_login(world.users[role])
    index = client.get(reverse("safety_hazards:index"), {"state": "all"})
    detail = client.get(reverse("safety_hazards:detail", args=[theirs.pk]))
    if role in ("superuser", "committee"):
        assert index.status_code == 200 and detail.status_code == 200
        assert theirs.case.reference in index.content.decode()
    elif role in ("grid_worker", "resident_rep", "partner_staff"):
        assert index.status_code == 200
        assert theirs.case.reference not in index.content.decode()
        assert detail.status_code == 404
    else:
        assert index.status_code in (302, 403) and detail.status_code in (302, 403, 404)
    talks = client.get(reverse("safety_talks:index"))
    assert talks.status_code == (200 if role in ("superuser", "committee") else talks.status_code)
    if role in ("grid_worker", "resident_rep", "partner_staff"):
        assert talks.status_code in (302, 403)  # whole-community data


def test_a_resident_rep_may_not_rectify(world, data, client):
    client.force_login(world.users["resident_rep"])
    response = client.post(f"/api/safety/hazards/{data[0].pk}/rectify/", {"note": "x"})
    assert response.status_code == 403


def test_talks_api(world, data, client):
    data[2].attendees.add(world.household1, world.household2)
    client.force_login(world.users["committee"])
    response = client.get("/api/safety/talks/")
    assert response.status_code == 200
    assert response.json()["results"][0]["attended"] == 2
    client.force_login(world.users["service_staff"])
    assert client.get("/api/safety/talks/").status_code == 403


def test_portal_page_shows_emergency_numbers_first(world, data, client):
    data[2].starts_at = timezone.now() + timezone.timedelta(days=3)
    data[2].save()
    response = client.get(reverse("safety:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index('href="tel:96777"') < body.index("data-apply")
    assert 'href="tel:119"' in body
    assert "消防演练" in body
    assert reverse("safety:service-form", kwargs={"form_slug": "connect"}) in body
    assert reverse("safety:service-form", kwargs={"form_slug": "report"}) in body
