"""CORS: headers for the configured origins only, none by default."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

APP = "https://app.example.cn"


def preflight(origin):
    return APIClient().options(
        "/api/services/forms/",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, idempotency-key",
    )


def test_no_origin_is_allowed_by_default(world):
    response = APIClient().get("/api/platform/", HTTP_ORIGIN=APP)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Origin" not in preflight(APP)


def test_a_configured_origin_gets_the_headers(world, settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]
    response = APIClient().get("/api/platform/", HTTP_ORIGIN=APP)
    assert response["Access-Control-Allow-Origin"] == APP
    answer = preflight(APP)
    assert answer.status_code == 200
    assert answer["Access-Control-Allow-Origin"] == APP
    allowed = answer["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "idempotency-key" in allowed
    assert "Access-Control-Allow-Credentials" not in answer


def test_other_origins_are_still_refused(world, settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]
    response = APIClient().get("/api/platform/", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in response


def test_the_portal_sends_no_cors_headers(world, settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]
    response = APIClient().get("/i18n/setlang/", HTTP_ORIGIN=APP)
    assert "Access-Control-Allow-Origin" not in response
