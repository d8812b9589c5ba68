"""Every list costs a constant number of queries, however many disputes it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import file_dispute

pytestmark = pytest.mark.django_db


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _disputes(world, count):
    for i in range(count):
        file_dispute(world.household1 if i % 2 else world.household2)


@pytest.mark.parametrize(
    "url", ["/api/disputes/", "/admin/disputes/", "/api/disputes/screening-rounds/"]
)
def test_lists_cost_a_constant_number_of_queries(world, client, url):
    client.force_login(world.users["committee"])
    _disputes(world, 2)
    client.get(url)  # warm caches (site, activation)
    few = _queries(client, url, state="all")
    _disputes(world, 8)
    assert _queries(client, url, state="all") == few


def test_figures_cost_a_constant_number_of_queries(world, client):
    client.force_login(world.users["committee"])
    _disputes(world, 2)
    url = "/api/disputes/figures/"
    client.get(url)
    few = _queries(client, url)
    _disputes(world, 8)
    assert _queries(client, url) == few


def test_household_panel_costs_a_constant_number_of_queries(world, rf):
    from anju.community.panels import render_household_panels

    request = rf.get(reverse("disputes_admin:index"))
    request.user = world.users["committee"]
    _disputes(world, 2)
    render_household_panels(world.household1, request)
    with CaptureQueriesContext(connection) as few:
        render_household_panels(world.household1, request)
    _disputes(world, 8)
    with CaptureQueriesContext(connection) as many:
        render_household_panels(world.household1, request)
    assert len(many.captured_queries) == len(few.captured_queries)
