"""Redis is optional for serving: with the cache and rate-limit store stopped, pages are
served uncached, the resident's request is filed and its reference shown, limits that
guard against abuse refuse with a clear message, sessions survive — and once Redis is
back, caching and counting resume. Never a 500.

These tests start a redis-server of their own (tests/platform/faults/conftest.py) and
stop it mid-test; the shared Redis is never touched.
"""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from anju.core.ratelimits import UNAVAILABLE_MESSAGE
from anju.services.models import Case, ServiceFormPage
from anju.services.submission import format_reference
from tests.platform.services.conftest import answers_for, built_service, file_case  # noqa: F401

from .conftest import wait_out_breaker

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


def zh(message) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def home(world):
    from anju.portal.site import ensure_home_page

    return ensure_home_page()


@pytest.fixture
def form_page(home, built_service):  # noqa: F811
    return home.add_child(
        instance=ServiceFormPage(title="我要报修", slug="repair", service=built_service)
    )


def portal_post(service, key):
    names = {spec["label"]: spec["name"] for spec in service.current_version.fields}
    return {
        names["什么坏了"]: "厨房水管",
        names["紧急程度"]: "紧急",
        "requester-requester_name": "王小明",
        "requester-requester_phone": "13812345678",
        "requester-idempotency_key": key,
    }


def test_portal_pages_are_served_uncached_while_redis_is_down(redis_cache, home):
    assert Client().get("/").get("X-Anju-Cache") == "miss"
    assert Client().get("/").get("X-Anju-Cache") == "hit"

    redis_cache.stop()
    for _ in range(3):
        response = Client().get("/")
        assert response.status_code == 200
        assert response.get("X-Anju-Cache") != "hit"

    redis_cache.start()  # empty: it kept nothing
    wait_out_breaker()
    assert Client().get("/").get("X-Anju-Cache") == "miss"
    assert Client().get("/").get("X-Anju-Cache") == "hit"


def test_a_request_filed_on_the_portal_while_redis_is_down_is_saved(
    redis_cache, form_page, django_capture_on_commit_callbacks
):
    redis_cache.stop()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/repair/", portal_post(form_page.service, "k-down-1"))
    assert response.status_code == 200
    case = Case.objects.get()
    assert format_reference(case.reference) in response.content.decode()
    # The double tap is still one case (idempotency lives in the database, not Redis).
    again = client.post("/repair/", portal_post(form_page.service, "k-down-1"))
    assert again.status_code == 200 and Case.objects.count() == 1


def test_tracking_fails_closed_with_a_clear_message_and_recovers(redis_cache, form_page):
    case = file_case(form_page.service, phone="13812345678")
    track = {"reference": case.reference, "phone_last4": "5678"}
    client = Client()
    redis_cache.stop()
    response = client.post("/cases/track/", track)
    assert response.status_code == 503
    assert zh(str(UNAVAILABLE_MESSAGE)) in response.content.decode()

    api = APIClient().post(
        "/api/services/track/", {"reference": "x", "phone_last4": "5678"}, format="json"
    )
    assert api.status_code == 503
    assert api.json()["detail"] == zh(str(UNAVAILABLE_MESSAGE))
    assert int(api["Retry-After"]) >= 1

    redis_cache.start()
    wait_out_breaker()
    response = client.post("/cases/track/", track)
    assert response.status_code == 200  # counted again, and found


def test_the_api_files_a_request_while_redis_is_down(redis_cache, built_service):  # noqa: F811
    redis_cache.stop()
    response = APIClient().post(
        f"/api/services/forms/{built_service.slug}/submit/",
        {
            **answers_for(built_service),
            "requester_name": "王小明",
            "requester_phone": "13812345678",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Case.objects.filter(reference=response.json()["reference"]).exists()


def test_admin_sign_in_and_sessions_survive_redis_going_away(redis_cache, world):
    client = Client()
    response = client.post("/admin/login/", {"username": "committee", "password": "pw"})
    assert response.status_code == 302, response.content[:500]
    assert client.get("/admin/").status_code == 200

    # Signed in while Redis was up; it goes away: still signed in (the session is in
    # the database too).
    redis_cache.stop()
    assert client.get("/admin/").status_code == 200
    # And a new sign-in works without it.
    other = Client()
    response = other.post("/admin/login/", {"username": "gridworker", "password": "pw"})
    assert response.status_code == 302
    assert other.get("/admin/").status_code == 200

    redis_cache.start()
    wait_out_breaker()
    assert client.get("/admin/").status_code == 200
    assert other.get("/admin/").status_code == 200
    assert client.session["_auth_user_id"] == str(world.users["committee"].pk)
    assert other.session["_auth_user_id"] == str(world.users["grid_worker"].pk)
