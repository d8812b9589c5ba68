"""No 5xx from any input: ids beyond the database's range, JSON nested too deep, and
anonymous calls answered 401 with a challenge."""

import pytest
from rest_framework.test import APIClient

from tests.platform.services.conftest import built_service  # noqa: F401

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


def deep_json(levels: int = 15000) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize(
    "url",
    [
        f"/api/community/households/?grid={HUGE}",
        f"/api/community/residents/?household={HUGE}",
        f"/api/community/visits/?household={HUGE}",
        f"/api/community/households/{HUGE}/",
        f"/api/community/residents/{HUGE}/",
        f"/api/services/cases/?grid={HUGE}",
        f"/api/services/cases/{HUGE}/",
        f"/api/notices/{HUGE}/",
        f"/api/notice-deliveries/?notice={HUGE}",
    ],
)
def test_ids_beyond_the_database_range_are_never_a_500(world, url):
    client = APIClient()
    client.force_login(world.users["committee"])
    response = client.get(url)
    assert response.status_code in (200, 400, 404), (response.status_code, response.content[:300])


def test_a_foreign_key_beyond_the_range_is_a_field_error(world):
    client = APIClient()
    client.force_login(world.users["committee"])
    response = client.post(
        "/api/community/visits/",
        {"household": HUGE, "visited_at": "2026-01-01T10:00:00+08:00", "kind": "routine"},
        format="json",
    )
    assert response.status_code == 400, response.content[:300]


@pytest.mark.parametrize("notice", [int(HUGE), -int(HUGE), HUGE])
def test_a_related_id_beyond_the_range_in_a_body_is_a_400(world, notice):
    """Any PrimaryKeyRelatedField: SQLite raised OverflowError (schemathesis found it
    on /api/notice-deliveries/); the API's exception handler answers 400."""
    client = APIClient()
    client.force_login(world.users["committee"])
    response = client.post(
        "/api/notice-deliveries/",
        {"notice": notice, "household": world.household1.pk, "channel": "door"},
        format="json",
    )
    assert response.status_code == 400, response.content[:300]


def test_json_nested_too_deep_is_a_400_on_tracking(db):
    response = APIClient().post(
        "/api/services/track/", deep_json(), content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_json_nested_too_deep_is_a_400_on_submit(world, built_service):  # noqa: F811
    response = APIClient().post(
        f"/api/services/forms/{built_service.slug}/submit/",
        '{"a":' * 15000 + "1" + "}" * 15000,
        content_type="application/json",
    )
    assert response.status_code == 400


def test_ordinary_json_still_parses(world, built_service):  # noqa: F811
    response = APIClient().post(
        "/api/services/track/",
        '{"reference": "[{not nesting}]", "phone_last4": "1234"}',
        content_type="application/json",
    )
    assert response.status_code == 400  # a field error about the reference, not a parse error
    assert "reference" in response.json()


@pytest.mark.parametrize(
    "url", ["/api/community/households/", "/api/services/cases/", "/api/services/my-cases/"]
)
def test_anonymous_calls_get_401_with_a_challenge(db, url):
    response = APIClient().get(url)
    assert response.status_code == 401
    # Both ways in are named: an API token (RFC 6750 Bearer) and the browser session.
    assert response["WWW-Authenticate"].startswith('Bearer realm="anju"')
    assert 'Session realm="anju"' in response["WWW-Authenticate"]


def test_signed_in_without_permission_is_still_403(world):
    client = APIClient()
    client.force_login(world.users["resident"])
    assert client.get("/api/community/households/").status_code == 403


@pytest.mark.parametrize("moment", ["0739-05-30T10:27:43+08:00", "2999-01-01T00:00:00+08:00"])
def test_a_follow_up_time_out_of_range_is_a_field_error(world, moment):
    """Found by schemathesis: a follow-up done in the year 739 was saved and read back
    as "0739-05-30T10:27:43+08:05:43" (local mean time), which no client can parse."""
    client = APIClient()
    client.force_login(world.users["committee"])
    response = client.patch(
        f"/api/community/visits/{world.visit1.pk}/",
        {"follow_up_done_at": moment},
        format="json",
    )
    assert response.status_code == 400, response.content[:300]
    assert "1900" in response.json()["follow_up_done_at"][0]
    world.visit1.refresh_from_db()
    assert world.visit1.follow_up_done_at is None


def test_a_follow_up_time_in_range_is_saved_and_read_back_with_a_standard_offset(world):
    client = APIClient()
    client.force_login(world.users["committee"])
    response = client.patch(
        f"/api/community/visits/{world.visit1.pk}/",
        {"follow_up_done_at": "2026-05-30T10:27:43+08:00"},
        format="json",
    )
    assert response.status_code == 200, response.content[:300]
    assert response.json()["follow_up_done_at"] == "2026-05-30T10:27:43+08:00"
