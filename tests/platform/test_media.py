"""Uploaded files are reached only through permission-checked views: /media/ is never
served (not even with DEBUG on), the case attachment views answer the file to those who
may see the case and 404 to everyone else, and with MEDIA_ACCEL_REDIRECT_PREFIX set the
web server sends the file (X-Accel-Redirect)."""

import importlib
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import clear_url_caches, reverse

from anju.services import workflow
from tests.platform.services.conftest import built_service, case_in_grid1  # noqa: F401

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
ROLES = ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident"]
#: Roles that may see a case filed in grid 1 (anju.services.visibility).
SEES_CASE = {"superuser", "committee", "grid_worker", "resident_rep"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def attachment(case_in_grid1):  # noqa: F811
    upload = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    return workflow.add_attachment(case_in_grid1, upload, public=True)


@pytest.fixture
def debug_urls(settings):
    """The URLconf as a developer's DEBUG=True run builds it."""
    import anju.urls

    settings.DEBUG = True
    importlib.reload(anju.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(anju.urls)
    clear_url_caches()


def client_for(world, role):
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def test_media_url_is_not_served_even_in_development(world, attachment, debug_urls):
    media_path = f"/media/{attachment.file.name}"
    assert attachment.file.storage.exists(attachment.file.name)
    for role in ("anonymous", "superuser"):
        response = client_for(world, role).get(media_path)
        assert response.status_code == 404, role
        assert PNG not in b"".join(getattr(response, "streaming_content", [response.content]))


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_admin_attachment_view_answers_only_who_may_see_the_case(world, attachment, role):
    url = reverse("anju_case_attachment", args=[attachment.case_id, attachment.pk])
    response = client_for(world, role).get(url)
    if role in SEES_CASE:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG
        assert "no-store" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
    else:
        assert response.status_code in (302, 403, 404)  # sign-in, or out of sight
        assert PNG not in response.content


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_api_attachment_answers_only_who_may_see_the_case(world, attachment, role):
    url = f"/api/services/cases/{attachment.case.reference}/attachments/{attachment.pk}/"
    response = client_for(world, role).get(url)
    if role in SEES_CASE:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG
    else:
        assert response.status_code in (401, 403, 404)
        assert PNG not in response.content


def test_x_accel_redirect_when_the_web_server_sends_files(world, attachment, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    expected = "/protected-media/" + quote(attachment.file.name)
    client = client_for(world, "grid_worker")
    for url in (
        reverse("anju_case_attachment", args=[attachment.case_id, attachment.pk]),
        f"/api/services/cases/{attachment.case.reference}/attachments/{attachment.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Accel-Redirect"] == expected
        assert response.content == b""  # nginx sends the bytes
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("attachment;")
    # Still checked first: no header for someone who may not see the case.
    response = client_for(world, "service_staff").get(
        reverse("anju_case_attachment", args=[attachment.case_id, attachment.pk])
    )
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


def test_a_missing_file_is_404_not_500(world, attachment, settings):
    attachment.file.storage.delete(attachment.file.name)
    url = reverse("anju_case_attachment", args=[attachment.case_id, attachment.pk])
    client = client_for(world, "grid_worker")
    assert client.get(url).status_code == 404
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    assert client.get(url).status_code == 404


def test_nginx_conf_protects_media_and_matches_the_upload_limit(settings):
    from pathlib import Path

    conf = (Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf").read_text()
    assert "location /protected-media/ {\n        internal;" in conf
    assert "X-Forwarded-Proto" in conf
    limit_mb = int(conf.split("client_max_body_size ")[1].split("m;")[0])
    assert limit_mb * 1024 * 1024 > settings.SERVICES_MAX_UPLOAD_BYTES
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"
