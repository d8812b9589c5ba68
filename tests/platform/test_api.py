import json

import pytest
from openapi_spec_validator import validate

from anju.portal.site import ensure_home_page

pytestmark = pytest.mark.django_db


def test_api_root_links_schema_docs_and_pages(client):
    response = client.get("/api/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["schema"].endswith("/api/schema/")
    assert data["docs"].endswith("/api/docs/")
    assert data["pages"].endswith("/api/v2/pages/")


def test_schema_is_valid_openapi_3(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    validate(schema)  # raises on an invalid document
    assert "/api/platform/" in schema["paths"]
    # Wagtail's own page API is not ours to describe.
    assert not any(path.startswith("/api/v2/") for path in schema["paths"])


def test_docs_are_served_without_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html


def test_wagtail_pages_api_lists_published_pages_to_anyone(client):
    home = ensure_home_page()
    response = client.get("/api/v2/pages/")
    assert response.status_code == 200
    titles = [item["title"] for item in response.json()["items"]]
    assert home.title in titles


def test_platform_endpoint_reports_version_and_languages(client):
    import anju

    data = client.get("/api/platform/").json()
    assert data["version"] == anju.__version__
    assert data["languages"] == ["zh-hans", "en"]
    assert data["language"] == "zh-hans"


@pytest.mark.parametrize(
    ("header", "language"),
    [("en-US,en;q=0.9", "en"), ("zh-CN", "zh-hans"), ("fr", "zh-hans"), (None, "zh-hans")],
)
def test_api_clients_choose_their_language(client, header, language):
    extra = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
    assert client.get("/api/platform/", **extra).json()["language"] == language


def test_the_portal_ignores_the_browser_language(client):
    ensure_home_page()
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert response["Content-Language"] == "zh-hans"
