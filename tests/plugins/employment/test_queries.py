"""Every list costs the same number of queries whatever its length (asserted)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f

from .conftest import make_posting, make_seeker

pytestmark = pytest.mark.django_db


def count(client, url, **params):
    client.get(url, params)  # warm: sites, activation, translations
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_postings(board, n):
    for i in range(n):
        make_posting(
            board, f"岗位{i}", tags=["women", "training"], place="local" if i % 2 else "away"
        )


@pytest.mark.parametrize(
    "params", [{}, {"place": "local", "tag": "women", "pay": "1000"}, {"q": "岗位"}]
)
def test_job_board_queries_do_not_grow(client, world, board, params):
    add_postings(board, 2)
    few = count(client, board.url, **params)
    add_postings(board, 8)
    assert count(client, board.url, **params) == few


def test_station_page_queries_do_not_grow(client, world, board):
    add_postings(board, 2)
    few = count(client, "/services/employment/")
    add_postings(board, 8)
    assert count(client, "/services/employment/") == few


@pytest.mark.parametrize(
    "endpoint", ["postings", "seekers", "courses", "applications", "migrant-work"]
)
def test_api_list_queries_do_not_grow(client, world, board, schemes, endpoint):
    from plugins.employment.models import MigrantWork

    from .conftest import file_application

    client.force_login(world.users["committee"])

    def add(n):
        add_postings(board, n)
        for _ in range(n):
            resident = f.ResidentFactory(household=world.household1)
            make_seeker(resident)
            MigrantWork.objects.create(resident=resident, place="宁波", since="2025-01-01")
            file_application(schemes["travel"], resident)

    add(2)
    few = count(client, f"/api/employment/{endpoint}/")
    add(8)
    assert count(client, f"/api/employment/{endpoint}/") == few


def test_admin_lists_do_not_grow(client, world, board):
    from django.urls import reverse

    client.force_login(world.users["service_staff"])

    def add(n):
        add_postings(board, n)
        for _ in range(n):
            make_seeker(f.ResidentFactory(household=world.household2))

    add(2)
    urls = [reverse("employment_seekers:index"), reverse("employment_admin:postings")]
    few = [count(client, url) for url in urls]
    add(8)
    assert [count(client, url) for url in urls] == few


def test_matches_both_ways_do_not_grow(client, world, board):
    """A seeker's matching postings and a posting's matching seekers, in the admin and the
    API: which community's site each posting is on costs no query per posting."""
    from django.urls import reverse

    client.force_login(world.users["service_staff"])
    seeker = make_seeker(world.resident1)
    first = make_posting(board, "首个岗位")

    def add(n):
        add_postings(board, n)
        for _ in range(n):
            make_seeker(f.ResidentFactory(household=world.household2))

    add(2)
    urls = [
        reverse("employment_admin:seeker_matches", kwargs={"pk": seeker.pk}),
        f"/api/employment/seekers/{seeker.pk}/postings/",
        reverse("employment_admin:posting", kwargs={"pk": first.pk}),
        f"/api/employment/postings/{first.pk}/seekers/",
    ]
    few = [count(client, url) for url in urls]
    add(8)
    assert [count(client, url) for url in urls] == few
