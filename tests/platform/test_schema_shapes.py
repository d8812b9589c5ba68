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
