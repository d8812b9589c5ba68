"""Who may see and do what, per role: the API and the admin, grid-scoped where they hold
residents' data. The grid worker and representative sit on grid 1 only; the committee
member's seat gives the whole community; service staff work station-wide on job seekers
and courses but never see migrant-work records."""

import pytest
from django.urls import reverse

from plugins.employment.models import MigrantWork

from .conftest import file_application, make_posting, make_seeker

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident"]

# endpoint -> roles that may list it
MAY_LIST = {
    "postings": {"superuser", "committee", "grid_worker", "resident_rep", "service_staff"},
    "seekers": {"superuser", "committee", "grid_worker", "resident_rep", "service_staff"},
    "courses": {"superuser", "committee", "grid_worker", "resident_rep", "service_staff"},
    "migrant-work": {"superuser", "committee", "grid_worker", "resident_rep"},
    "applications": {"superuser", "committee", "grid_worker", "resident_rep", "service_staff"},
}
# roles that see grid 2's rows of each grid-scoped endpoint
SEES_GRID_2 = {
    "seekers": {"superuser", "committee", "service_staff"},
    "migrant-work": {"superuser", "committee"},
    "applications": {"superuser", "committee"},
}


@pytest.fixture
def data(world, board, schemes):
    make_posting(board)
    make_seeker(world.resident1)
    make_seeker(world.resident2)
    for resident in (world.resident1, world.resident2):
        MigrantWork.objects.create(resident=resident, place="宁波", since="2025-01-01")
        file_application(schemes["travel"], resident)


@pytest.mark.parametrize("endpoint", sorted(MAY_LIST))
def test_anonymous_visitors_are_refused(client, data, endpoint):
    assert client.get(f"/api/employment/{endpoint}/").status_code in (401, 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MAY_LIST))
def test_api_lists_per_role(client, world, data, role, endpoint):
    client.force_login(world.users[role])
    response = client.get(f"/api/employment/{endpoint}/")
    if role not in MAY_LIST[endpoint]:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    results = response.json()["results"]
    if endpoint in SEES_GRID_2:
        expected = 1 if role in {"grid_worker", "resident_rep"} else 2
        if endpoint == "applications" and role == "service_staff":
            expected = 0  # handled by the grid workers, not the station
        assert len(results) == expected, results
        names = str(results)
        assert (world.resident2.name in names) == (role in SEES_GRID_2[endpoint])


def test_phones_are_masked_in_the_api(client, world, data):
    client.force_login(world.users["committee"])
    rows = client.get("/api/employment/seekers/").json()["results"]
    assert all("****" in row["phone"] for row in rows)


def test_a_grid_worker_cannot_reach_or_create_grid_2_records(client, world, data):
    client.force_login(world.users["grid_worker"])
    other = world.resident2.job_seekers.get()
    assert client.get(f"/api/employment/seekers/{other.pk}/").status_code == 404
    response = client.post(
        "/api/employment/migrant-work/",
        {"resident": world.resident2.pk, "place": "苏州", "since": "2025-02-01"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "resident" in response.json()
    response = client.post(
        "/api/employment/migrant-work/",
        {"resident": world.resident1.pk, "place": "苏州", "since": "2025-02-01"},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_the_representative_reads_but_does_not_write(client, world, data):
    client.force_login(world.users["resident_rep"])
    response = client.post(
        "/api/employment/seekers/",
        {"resident": world.resident1.pk, "wished_place": "local"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_matching_through_the_api(client, world, data, board):
    posting = make_posting(board, "钢筋工", place="away", pay_max=9000)
    client.force_login(world.users["grid_worker"])
    page = client.get(f"/api/employment/postings/{posting.pk}/seekers/").json()
    # Paginated like every list of the API, as the schema says.
    assert page["count"] == 1 and page["next"] is None
    assert [r["resident_name"] for r in page["results"]] == [world.resident1.name]
    seeker = world.resident1.job_seekers.get()
    page = client.get(f"/api/employment/seekers/{seeker.pk}/postings/").json()
    assert page["count"] == 2
    assert {r["title"] for r in page["results"]} == {"缝纫工", "钢筋工"}


ADMIN_SEEKERS = {
    "superuser": 200,
    "committee": 200,
    "grid_worker": 200,
    "resident_rep": 200,
    "service_staff": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_admin_seekers_per_role(client, world, data, role):
    client.force_login(world.users[role])
    response = client.get(reverse("employment_seekers:index"))
    if role not in ADMIN_SEEKERS:
        assert response.status_code in (302, 403)
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert world.resident1.name in page
    assert (world.resident2.name in page) == (role in SEES_GRID_2["seekers"])


@pytest.mark.parametrize("role", ROLES)
def test_admin_migrant_work_edit_of_grid_2(client, world, data, role):
    record = MigrantWork.objects.get(resident=world.resident2)
    client.force_login(world.users[role])
    response = client.get(reverse("employment_migrant_work:edit", args=[record.pk]))
    if role in {"superuser", "committee"}:
        assert response.status_code == 200
    elif role in {"grid_worker", "resident_rep"}:
        assert response.status_code == 404  # outside their grid: it does not exist
    else:  # no permission, and no grid: refused, or not there at all
        assert response.status_code in (302, 403, 404)


def test_household_panel_shows_the_household_s_employment(client, world, data):
    from django.test import RequestFactory

    from anju.community.panels import render_household_panels

    request = RequestFactory().get("/admin/")
    request.user = world.users["grid_worker"]
    html = render_household_panels(world.household1, request)
    assert "data-employment-household" in html
    assert world.resident1.name in html and "宁波" in html and "交通补贴" in html


@pytest.mark.parametrize("role", ["committee", "service_staff", "grid_worker"])
def test_dashboard_panel_renders_the_figures(client, world, data, role):
    client.force_login(world.users[role])
    page = client.get("/admin/").content.decode()
    assert "data-employment-panel" in page and 'data-figure="postings_open">1<' in page


@pytest.mark.parametrize("role", ["superuser", "committee", "grid_worker", "service_staff"])
def test_the_figures_count_the_seekers_the_list_shows(client, world, data, role):
    """The station's staff list job seekers station-wide: the figures (admin page and
    dashboard) count the same rows, not 0 (issue 21)."""
    client.force_login(world.users[role])
    listed = len(client.get("/api/employment/seekers/").json()["results"])
    figures = client.get(reverse("employment_admin:figures")).context["figures"]
    assert figures["seekers"] == listed == (1 if role == "grid_worker" else 2)
    assert figures["seekers_looking"] == listed  # every seeker in ``data`` is looking
    page = client.get("/admin/").content.decode()
    assert f'data-figure="seekers_looking">{listed}<' in page
