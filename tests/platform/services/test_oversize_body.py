"""A body larger than the server takes: the form comes back with the resident's typed
answers and a message that names the limit — never a bare 400, and no case filed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from anju.services.models import Case, ServiceFormPage

from .test_portal import fields_of, text, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_page(world, built_service):
    from anju.portal.site import ensure_home_page

    page = ServiceFormPage(title="我要报修", slug="repair", service=built_service)
    return ensure_home_page().add_child(instance=page)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@override_settings(SERVICES_MAX_UPLOAD_BYTES=64 * 1024)
def test_an_over_size_file_keeps_the_answers_and_names_the_limit(client, form_page):
    names = fields_of(form_page.service)
    upload = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff" + b"\x00" * (65 * 1024))
    response = client.post("/repair/", {**valid_post(form_page.service), names["照片"]: upload})
    assert response.status_code == 400
    body = text(response)
    assert "photo.jpg" in body and "64.0\xa0KB" in body
    assert "厨房水管" in body and "水管接口一直滴水" in body and "王小明" in body
    assert not Case.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=8 * 1024)
def test_an_over_size_multipart_body_keeps_the_answers_and_names_the_limit(client, form_page):
    names = fields_of(form_page.service)
    post = valid_post(form_page.service, **{names["详细情况"]: "滴水" * 5000})
    response = client.post("/repair/", post)  # multipart, as the browser sends it
    assert response.status_code == 413
    body = text(response)
    assert "8.0\xa0KB" in body  # the limit, named
    assert "厨房水管" in body and "王小明" in body and "13812345678" in body
    assert not Case.objects.exists()
    # Corrected, the same form goes through.
    post[names["详细情况"]] = "水管接口一直滴水"
    assert client.post("/repair/", post).status_code == 200
    assert Case.objects.count() == 1


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=8 * 1024)
def test_an_over_size_urlencoded_body_keeps_the_answers(client, form_page):
    from urllib.parse import urlencode

    names = fields_of(form_page.service)
    post = valid_post(form_page.service, **{names["详细情况"]: "滴水" * 5000})
    response = client.post(
        "/repair/", urlencode(post), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    body = text(response)
    assert "8.0\xa0KB" in body and "厨房水管" in body and "王小明" in body
    assert not Case.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=8 * 1024, FORM_BODY_MAX_BYTES=32 * 1024)
def test_a_body_beyond_any_reason_still_gets_the_form_and_the_message(client, form_page):
    names = fields_of(form_page.service)
    post = valid_post(form_page.service, **{names["详细情况"]: "滴水" * 20000})
    response = client.post("/repair/", post)
    assert response.status_code == 413
    body = text(response)
    assert "8.0\xa0KB" in body and 'name="requester-requester_name"' in body
    assert not Case.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=8 * 1024)
def test_an_over_size_body_in_english(client, form_page):
    names = fields_of(form_page.service)
    post = valid_post(form_page.service, **{names["详细情况"]: "x" * 10000})
    response = client.post("/en/repair/", post)
    assert response.status_code == 413
    assert "8.0\xa0KB" in text(response) and "too large" in text(response)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=8 * 1024)
def test_with_csrf_checks_on_the_answers_still_come_back(form_page):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get("/repair/")
    # The page may come from the cache: form_token.js fetches the token, as here.
    token = client.get("/cases/form-token/").json()["csrf"]
    names = fields_of(form_page.service)
    post = valid_post(form_page.service, **{names["详细情况"]: "滴水" * 5000})
    response = client.post("/repair/", {**post, "csrfmiddlewaretoken": token})
    assert response.status_code == 413
    assert "厨房水管" in text(response) and "8.0\xa0KB" in text(response)
    assert not Case.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=8 * 1024)
def test_another_portal_form_answers_with_a_page_that_says_why(client, world):
    response = client.post("/cases/track/", {"reference": "x" * 10000, "phone_last4": "1234"})
    assert response.status_code == 413
    body = text(response)
    assert "8.0\xa0KB" in body and "error-message" in body
    assert "太大" in body  # in Chinese, on the portal's own page
