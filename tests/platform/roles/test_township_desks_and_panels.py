"""Township desks in the case inbox's bulk assignment, and the dashboard panels of the
roles above the community (issue 20): county and township staff get per-community
figures of their jurisdiction (never a list of every grid), desk staff their desk's
cases; the community's own roles keep "My grids".

Two communities in two townships: the county fixture of test_county_and_townships.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anju.community.models import Township
from anju.permissions import roles
from anju.register.admin.my_grids import PANEL_COMMUNITIES, community_summaries
from tests import factories as f

from . import test_county_and_townships as county_tests

pytestmark = pytest.mark.django_db

county = county_tests.county  # the fixture


def _assignees(client, user):
    client.force_login(user)
    response = client.get(reverse("anju_cases"), {"tab": "all"})
    assert response.status_code == 200
    return {u.username for u in response.context["assignees"]}


# --- bulk assignment ----------------------------------------------------------------------


def test_the_bulk_assign_menu_offers_the_desks_of_the_users_cases(county, client):
    unlisted_desk = f.UserFactory(username="bianmin0", role=roles.TOWNSHIP_DESK)  # on no list
    other = Township.objects.create(code="hekou", name="河口乡")
    far_desk = f.UserFactory(username="bianmin9", role=roles.TOWNSHIP_DESK)
    other.desk_staff.add(far_desk)  # a desk none of A's cases is routed to
    offered = _assignees(client, county.users["committee"])
    # A is in 安居镇 (desk_1); a resident of A registered in 城关镇 sent a case to desk_2.
    assert {"bianmin1", "bianmin2"} <= offered
    assert "worker_a" in offered and "committee_a" in offered
    # Only with the role *and* on a desk's list; never a desk with nothing of theirs.
    assert not {"nobody", unlisted_desk.username, far_desk.username} & offered
    offered_b = _assignees(client, county.users["committee_b"])
    assert "bianmin2" in offered_b and "bianmin1" not in offered_b


def test_bulk_assigning_desk_cases_to_a_desk(county, client):
    committee = county.users["committee"]
    client.force_login(committee)
    both = [county.desk_a_home.pk, county.desk_a_else.pk]
    response = client.post(
        reverse("anju_cases_bulk_assign"),
        {"case": both, "assignee": county.users["desk_1"].pk},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        follow=True,
    )
    assert response.status_code == 200
    county.desk_a_home.refresh_from_db()
    county.desk_a_else.refresh_from_db()
    assert county.desk_a_home.assignee == county.users["desk_1"]
    assert county.desk_a_else.assignee is None  # routed to 城关镇's desk: refused, said why
    said = " ".join(str(m) for m in response.context["messages"])
    assert "便民服务站" in said and "城关镇" in said
    # Its own desk takes it.
    client.post(
        reverse("anju_cases_bulk_assign"),
        {"case": [county.desk_a_else.pk], "assignee": county.users["desk_2"].pk},
    )
    county.desk_a_else.refresh_from_db()
    assert county.desk_a_else.assignee == county.users["desk_2"]


def test_bulk_assign_refuses_someone_on_a_desk_list_without_the_role(county, client):
    client.force_login(county.users["committee"])
    response = client.post(
        reverse("anju_cases_bulk_assign"),
        {"case": [county.desk_a_home.pk], "assignee": county.users["listed_no_role"].pk},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        follow=True,
    )
    county.desk_a_home.refresh_from_db()
    assert county.desk_a_home.assignee is None
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["county", "township_1", "desk_1", "resident_rep"])
def test_roles_that_do_not_assign_get_no_menu_and_are_refused(county, client, role):
    user = county.users[role]
    client.force_login(user)
    response = client.get(reverse("anju_cases"), {"tab": "all"})
    assert "assignees" not in response.context
    response = client.post(
        reverse("anju_cases_bulk_assign"),
        {"case": [county.desk_a_home.pk], "assignee": county.users["desk_1"].pk},
    )
    assert response.status_code == 403
    county.desk_a_home.refresh_from_db()
    assert county.desk_a_home.assignee is None


# --- dashboard panels ---------------------------------------------------------------------


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def _rows(page, attr):
    return set(re.findall(rf'data-{attr}="(\d+)"', page))


@pytest.mark.parametrize(
    "role, communities",
    [("county", {"a", "b"}), ("township_1", {"a"}), ("township_2", {"b"})],
)
def test_county_and_township_staff_get_their_communities_not_every_grid(
    county, client, role, communities
):
    page = _home(client, county.users[role])
    assert 'id="anju-my-communities' in page
    assert 'id="anju-my-grids' not in page
    assert _rows(page, "community") == {str(getattr(county, c).pk) for c in communities}
    assert not _rows(page, "grid")  # no per-grid list
    summaries = {c.pk: c for c in community_summaries(county.users[role])}
    a = summaries.get(county.a.pk)
    if a is not None:
        assert (a.household_count, a.resident_count, a.unvisited_count) == (1, 2, 1)


def test_a_township_role_on_no_list_sees_no_community(county, client):
    page = _home(client, county.users["township_unlisted"])
    assert 'id="anju-my-communities' in page and not _rows(page, "community")


def test_the_community_roles_keep_my_grids(county, client):
    page = _home(client, county.users["grid_worker"])
    assert 'id="anju-my-grids' in page and 'id="anju-my-communities' not in page
    assert _rows(page, "grid") == {str(county.grid_a.pk)}


@pytest.mark.parametrize("role, open_, desk", [("desk_1", 1, "t1"), ("desk_2", 2, "t2")])
def test_desk_staff_get_their_desk_not_my_grids(county, client, role, open_, desk):
    page = _home(client, county.users[role])
    assert 'id="anju-my-grids' not in page and 'id="anju-my-communities' not in page
    assert 'id="anju-service-desk' in page
    assert _rows(page, "desk") == {str(getattr(county, desk).pk)}
    from anju.services.admin.desk import desk_summaries

    (summary,) = desk_summaries(county.users[role])
    assert (summary.open_count, summary.waiting_count) == (open_, open_)


def test_the_panel_is_capped_and_costs_the_same_however_many_communities(county, client):
    user = county.users["county"]
    with CaptureQueriesContext(connection) as few:
        community_summaries(user, limit=PANEL_COMMUNITIES)
    for n in range(PANEL_COMMUNITIES + 5):
        community = f.CommunityFactory(code=f"extra{n}", name=f"加{n:02d}社区", township=county.t1)
        grid = f.GridFactory(community=community, number=1)
        f.HouseholdFactory(building=f.BuildingFactory(grid=grid))
    user = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as many:
        shown = community_summaries(user, limit=PANEL_COMMUNITIES)
    assert len(many) == len(few)
    assert len(shown) == PANEL_COMMUNITIES and shown.more == 7
    page = _home(client, user)
    assert len(_rows(page, "community")) == PANEL_COMMUNITIES
    assert 'data-more-communities="7"' in page
    # The page lists them all, per community.
    page = client.get(reverse("anju_my_grids")).content.decode()
    assert len(_rows(page, "community")) == PANEL_COMMUNITIES + 7


def test_a_desks_case_list_and_panel_cost_the_same_however_many_cases(county):
    from rest_framework.test import APIClient

    from tests.platform.services.conftest import file_case

    api = APIClient()
    api.force_login(county.users["desk_2"])
    api.get("/api/services/cases/")  # warm caches
    with CaptureQueriesContext(connection) as few:
        assert api.get("/api/services/cases/").json()["count"] == 2
    for n in range(6):
        file_case(county.hukou, household=county.hh_b, phone="13800000003", name=f"李{n}")
    with CaptureQueriesContext(connection) as many:
        assert api.get("/api/services/cases/").json()["count"] == 8
    assert len(many) == len(few)
    from anju.services.admin.desk import desk_summaries

    user = type(county.users["desk_2"]).objects.get(pk=county.users["desk_2"].pk)
    user.has_perm("services.view_case")  # the request has loaded the permissions
    with CaptureQueriesContext(connection) as panel:
        (desk,) = desk_summaries(user)
    assert len(panel) == 1 and desk.open_count == 8


def _menu_label(page, url) -> str:
    """The sidebar's label for the entry leading to ``url`` (the menu is JSON in the page)."""
    match = re.search(r'"name": "my-grids", "label": "([^"]*)"[^}]*}, "url": "([^"]*)"', page)
    assert match, "no My grids entry in the menu"
    assert match.group(2) == url
    return match.group(1).encode().decode("unicode_escape")


@pytest.mark.parametrize(
    "role, label",
    [
        ("county", "我的社区"),
        ("township_1", "我的社区"),
        ("committee", "我的网格"),
        ("grid_worker", "我的网格"),
    ],
)
def test_the_menu_names_the_page_each_role_gets(county, client, role, label):
    """County and township staff's "My grids" page is their communities: the menu says
    so, in Chinese first."""
    page = _home(client, county.users[role])
    assert _menu_label(page, reverse("anju_my_grids")) == label
