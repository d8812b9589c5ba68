"""Responses have the shape the schema documents (found by schemathesis, which checks
every operation in tests/platform/test_schemathesis.py; these pin each fix down)."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def paths():
    return SchemaGenerator().get_schema(request=None, public=True)["paths"]


def test_figures_are_documented_as_the_one_object_they_are(world, paths):
    documented = paths["/api/services/figures/"]["get"]["responses"]["200"]
    assert documented["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CaseFigures"
    }
    client = APIClient()
    client.force_login(world.users["committee"])
    data = client.get("/api/services/figures/").json()
    assert isinstance(data, dict) and "filed" in data and "by_grid" in data


def test_a_campaigns_progress_is_documented_as_the_plain_array_it_is(paths):
    documented = paths["/api/campaigns/campaigns/{id}/progress/"]["get"]["responses"]["200"]
    schema = documented["content"]["application/json"]["schema"]
    assert schema["type"] == "array"
    assert schema["items"] == {"$ref": "#/components/schemas/RoundProgress"}


def test_a_time_of_day_is_documented_as_the_local_time_it_is():
    """``format: time`` asks for an offset ("16:00:00+08:00"); a class starts at 16:00
    local time, and the API says "16:00:00"."""
    import re

    schema = SchemaGenerator().get_schema(request=None, public=True)
    starts_at = schema["components"]["schemas"]["Class"]["properties"]["starts_at"]
    assert "format" not in starts_at
    assert re.match(starts_at["pattern"], "16:00:00")
    assert not re.match(starts_at["pattern"], "4pm")
