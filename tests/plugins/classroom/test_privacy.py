"""Children's records are seen by the classroom's staff (all), the committee (its
community) and the child's own grid worker (their grid); resident representatives and
residents see none; the portal shows a child only to their guardians. Every admin view,
API endpoint and export, per role."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from plugins.classroom import care
from plugins.classroom.models import CallTask, PickupFlag

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident", None]
#: Who sees the children of both grids; the grid worker sees grid 1's only.
SEES_ALL = {"superuser", "committee", "service_staff"}
SEES_CHILDREN = SEES_ALL | {"grid_worker"}


@pytest.fixture
def records(room):
    one = care.enrol(room.klass, room.child1, consent_by="张桂兰")
    two = care.enrol(room.klass, room.child2, consent_by="李奶奶")
    care.check_in(one)
    care.check_in(two)
    PickupFlag.objects.create(enrolment=one, person="陌生人甲")
    PickupFlag.objects.create(enrolment=two, person="陌生人乙")
    CallTask.objects.create(enrolment=one, day="2026-01-05")
    CallTask.objects.create(enrolment=two, day="2026-01-05")
    return one, two


def login(client, world, role):
    if role:
        client.force_login(world.users[role])


def refused(response):
    """403, or the admin's sign-in redirect for people who may not use the admin."""
    return response.status_code in (403, 302)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["children", "calls"])
def test_admin_lists(room, records, world, client, role, name):
    login(client, world, role)
    response = client.get(reverse(f"classroom_admin:{name}"))
    if role not in SEES_CHILDREN:
        assert refused(response)
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert "王小宝" in page
    assert ("李小花" in page) == (role in SEES_ALL)
    if name == "calls":
        assert ("陌生人乙" in page) == (role in SEES_ALL)


@pytest.mark.parametrize("role", ROLES)
def test_admin_child_page(room, records, world, client, role):
    login(client, world, role)
    one, two = records
    own = client.get(reverse("classroom_admin:enrolment", kwargs={"pk": one.pk}))
    other = client.get(reverse("classroom_admin:enrolment", kwargs={"pk": two.pk}))
    if role not in SEES_CHILDREN:
        assert refused(own) and refused(other)
        return
    assert own.status_code == 200 and "139****1111" in own.content.decode()
    assert "13900001111" not in own.content.decode()  # phones masked
    assert other.status_code == (200 if role in SEES_ALL else 404)


@pytest.mark.parametrize("role", ROLES)
def test_the_door(room, records, world, client, role):
    login(client, world, role)
    one, two = records
    url = reverse("classroom_admin:door_class", kwargs={"pk": room.klass.pk})
    response = client.get(url)
    if role not in {"superuser", "committee", "service_staff"}:
        assert refused(response)
        assert refused(client.post(url, {"enrolment": one.pk, "action": "out", "person": "x"}))
        assert not PickupFlag.objects.filter(person="x").exists()
        return
    assert response.status_code == 200
    assert "王小宝" in response.content.decode()
    assert client.get(reverse("classroom_admin:door")).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_notices(room, records, world, client, role):
    login(client, world, role)
    response = client.get(reverse("classroom_admin:notices"))
    assert response.status_code == 200 if role in SEES_ALL else refused(response)


@pytest.mark.parametrize("role", ROLES)
def test_figures_and_term_export(room, records, world, client, role):
    login(client, world, role)
    figures = client.get(reverse("classroom_admin:figures"))
    export = client.get(reverse("classroom_admin:term_export", kwargs={"pk": room.term.pk}))
    if role not in SEES_CHILDREN:
        assert refused(figures) and refused(export)
        return
    assert figures.status_code == 200 and export.status_code == 200
    workbook = load_workbook(io.BytesIO(export.content))
    children = [row[1] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)]
    expected = ["王小宝", "李小花"] if role in SEES_ALL else ["王小宝"]
    assert sorted(children) == sorted(expected)


@pytest.mark.parametrize("role", ROLES)
def test_volunteers_export(room, records, world, client, role):
    from plugins.classroom.models import VolunteerShift

    VolunteerShift.objects.create(volunteer=room.volunteer, klass=room.klass, hours="2.0")
    login(client, world, role)
    response = client.get(reverse("classroom_admin:volunteers_export", kwargs={"pk": room.term.pk}))
    if role not in SEES_ALL:
        assert refused(response)
        return
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "陈老师" and rows[1][3] == 2.0


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("prefix", ["terms", "classes", "volunteers", "volunteer-hours"])
def test_own_records_viewsets(room, records, world, client, role, prefix):
    login(client, world, role)
    response = client.get(f"/admin/classroom/{prefix}/")
    allowed = SEES_ALL | ({"grid_worker"} if prefix in ("terms", "classes") else set())
    assert response.status_code == 200 if role in allowed else refused(response)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ["enrolments", "attendance", "calls"])
def test_api_children(room, records, world, client, role, endpoint):
    login(client, world, role)
    response = client.get(f"/api/classroom/{endpoint}/")
    if role not in SEES_CHILDREN:
        assert response.status_code in (401, 403)
        return
    assert response.status_code == 200
    children = {row["child"] for row in response.json()["results"]}
    assert children == ({"王小宝", "李小花"} if role in SEES_ALL else {"王小宝"})
    one, two = records
    if endpoint == "enrolments":
        other = client.get(f"/api/classroom/enrolments/{two.pk}/")
        assert other.status_code == (200 if role in SEES_ALL else 404)


@pytest.mark.parametrize("role", ROLES)
def test_api_classes(room, records, world, client, role):
    login(client, world, role)
    response = client.get("/api/classroom/classes/")
    if role not in SEES_CHILDREN:
        assert response.status_code in (401, 403)
        return
    assert response.json()["results"][0]["enrolled"] == 2


def test_the_household_panel_follows_the_grid(room, records, world, client):
    client.force_login(world.users["grid_worker"])
    from django.test import RequestFactory

    from plugins.classroom.panels import ClassroomHouseholdPanel

    request = RequestFactory().get("/")
    request.user = world.users["grid_worker"]
    panel = ClassroomHouseholdPanel()
    html = panel.render_html({"household": world.household1, "request": request})
    assert "王小宝" in html
    html = panel.render_html({"household": world.household2, "request": request})
    assert "李小花" not in html
