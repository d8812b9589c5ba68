"""API lists count exactly up to ``API_COUNT_CAP`` rows and say "at least" past it
(anju.core.pagination): a county's 1,000,000 visits are never counted on each page,
and paging by number still reaches every row."""

import pytest

from anju.core.pagination import CappedCountPagination
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/community/households/"


@pytest.fixture
def seven_households(world, monkeypatch):
    """world's two households and five more in grid 1; pages of two."""
    for room in range(301, 306):
        f.HouseholdFactory(building=world.building1, room=str(room))
    monkeypatch.setattr(CappedCountPagination, "page_size", 2)
    return world


def pages(client, world, role):
    client.force_login(world.users[role])
    answers, url = [], URL
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        answers.append(response.json())
        url = answers[-1]["next"]
    return answers


def test_under_the_cap_the_count_is_exact(client, seven_households, settings):
    settings.API_COUNT_CAP = 100
    answers = pages(client, seven_households, "superuser")
    assert [a["count"] for a in answers] == [7, 7, 7, 7]
    assert not any(a["count_capped"] for a in answers)
    assert [len(a["results"]) for a in answers] == [2, 2, 2, 1]
    assert answers[0]["previous"] is None
    assert answers[-1]["next"] is None


def test_past_the_cap_the_count_is_the_cap_and_says_so(client, seven_households, settings):
    settings.API_COUNT_CAP = 3
    answers = pages(client, seven_households, "superuser")
    assert [(a["count"], a["count_capped"]) for a in answers] == [(3, True)] * 4
    # Paging is not bounded by the count: every row is reached, each once.
    ids = [row["id"] for a in answers for row in a["results"]]
    assert len(ids) == len(set(ids)) == 7


def test_the_cap_never_counts_rows_outside_the_users_grids(client, seven_households, settings):
    settings.API_COUNT_CAP = 100
    answers = pages(client, seven_households, "grid_worker")  # grid 1: six households
    assert answers[0]["count"] == 6
    assert sum(len(a["results"]) for a in answers) == 6


@pytest.mark.parametrize("page", ["5", "0", "-1", "x", "last", "822666557163598461796352"])
def test_a_page_past_the_end_or_not_a_number_is_a_404(client, seven_households, page):
    client.force_login(seven_households.users["superuser"])
    response = client.get(URL, {"page": page})
    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_schema_describes_count_capped(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    page = schema["components"]["schemas"]["PaginatedHouseholdList"]
    assert page["properties"]["count_capped"]["type"] == "boolean"
    assert "count_capped" in page["required"]
