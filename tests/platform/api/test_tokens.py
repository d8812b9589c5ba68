"""Personal tokens and integration keys: the same role and grid rules as a session,
401 with a challenge for credentials that do not open the door, 403 out of scope,
a rate limit per token, and the audit trail."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from anju.api.models import ApiToken, TokenKind
from anju.api.scopes import FIGURES_READ, NOTICES_READ, REQUESTS_FILE
from anju.api.tokens import issue
from anju.core.models import AuditEntry
from tests.conftest import SEES_COMMUNITY_DATA, SEES_GRID_2

from .conftest import bearer, token_for

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident"]


def household_ids(client) -> set[int]:
    response = client.get("/api/community/households/")
    if response.status_code != 200:
        return set()
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", ROLES)
def test_a_personal_token_sees_what_the_session_sees(world, tokens, role):
    session = APIClient()
    session.force_login(world.users[role])
    by_token = household_ids(bearer(tokens[role]))
    assert by_token == household_ids(session)
    assert (world.household2.pk in by_token) == (role in SEES_GRID_2)
    assert (world.household1.pk in by_token) == (role in SEES_COMMUNITY_DATA)


@pytest.mark.urls("tests.platform.api.community_urls")
@pytest.mark.parametrize(("role", "allowed"), [("grid_worker", False), ("committee", True)])
def test_route_scope_applies_to_tokens_as_to_sessions(world, tokens, role, allowed):
    # The session middleware refuses whole-community routes to grid-restricted roles
    # before the token is read; the token's user must be refused the same way.
    session = APIClient()
    session.force_login(world.users[role])
    by_session = session.get("/api/test-community-report/").status_code
    by_token = bearer(tokens[role]).get("/api/test-community-report/").status_code
    assert by_session == by_token == (200 if allowed else 403)


def test_missing_credentials_get_401_with_a_bearer_challenge(world):
    response = APIClient().get("/api/services/cases/")
    assert response.status_code == 401
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="anju"') and "Session" in challenge


@pytest.mark.parametrize(
    "header",
    ["Bearer anju_notarealtoken", "Bearer", "Bearer a b", "Bearer 令牌"],
)
def test_bad_tokens_get_401_with_the_reason(world, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/services/my-cases/")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert response.json()["detail"]


def test_an_expired_token_gets_401_expired_and_is_audited(world):
    token, text = token_for(world.users["committee"])
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - datetime.timedelta(1))
    response = bearer(text).get("/api/services/cases/")
    assert response.status_code == 401
    assert 'error_description="expired"' in response["WWW-Authenticate"]
    assert response.json()["detail"] == "此令牌已过期。"
    assert ApiToken.objects.filter(pk=token.pk).exists()  # kept, unlike knox's default
    entry = AuditEntry.objects.get(action="api_token_refused")
    assert entry.object_id == str(token.pk) and "expired" in entry.object_repr


def test_a_revoked_token_gets_401_revoked(world):
    token, text = token_for(world.users["committee"])
    client = bearer(text)
    assert client.get("/api/services/cases/").status_code == 200
    token.revoke()
    response = client.get("/api/services/cases/")
    assert response.status_code == 401
    assert 'error_description="revoked"' in response["WWW-Authenticate"]
    assert response.json()["detail"] == "此令牌已被撤销。"


def test_a_token_of_a_disabled_account_is_refused(world):
    _token, text = token_for(world.users["committee"])
    world.users["committee"].is_active = False
    world.users["committee"].save()
    assert bearer(text).get("/api/services/cases/").status_code == 401


def test_only_the_digest_is_stored(world):
    token, text = token_for(world.users["committee"])
    assert text.startswith("anju_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert text not in (stored.digest, stored.token_key) and len(stored.digest) == 128


def test_a_client_can_revoke_its_own_token(world, tokens):
    client = bearer(tokens["resident"])
    assert client.get("/api/auth/me/").json()["kind"] == "personal"
    assert client.post("/api/auth/revoke/").status_code == 204
    assert client.get("/api/auth/me/").status_code == 401


# --- integration keys ---------------------------------------------------------------


def key_for(user, *scopes, days=30):
    return token_for(user, kind=TokenKind.INTEGRATION, scopes=scopes, days=days)


def test_a_key_reaches_only_what_its_scopes_open(world, built_service):
    _key, text = key_for(world.users["committee"], NOTICES_READ)
    client = bearer(text)
    assert client.get("/api/notices/").status_code == 200
    assert client.get("/api/v2/pages/").status_code == 200
    refused = client.get("/api/services/figures/")
    assert refused.status_code == 403
    assert "figures:read" in refused.json()["detail"]
    # An endpoint no scope opens is refused even though the user could use it.
    assert client.get("/api/community/households/").status_code == 403
    assert client.post("/api/services/forms/repair/submit/", {}).status_code == 403


def test_a_figures_key_reads_figures_of_its_users_grids_only(world, built_service):
    from tests.platform.services.conftest import file_case

    file_case(built_service, household=world.household1)
    file_case(built_service, household=world.household2)
    committee_key = key_for(world.users["committee"], FIGURES_READ)[1]
    worker_key = key_for(world.users["grid_worker"], FIGURES_READ)[1]
    assert bearer(committee_key).get("/api/services/figures/").json()["filed"] == 2
    assert bearer(worker_key).get("/api/services/figures/").json()["filed"] == 1


def test_a_key_is_never_wider_than_its_users_role(world):
    with pytest.raises(ValueError):
        key_for(world.users["resident"], FIGURES_READ)
    # And at use, the user's own rights still apply: a resident's key that files
    # requests sees no staff case list.
    text = key_for(world.users["resident"], REQUESTS_FILE)[1]
    assert bearer(text).get("/api/services/my-cases/").status_code == 200
    assert bearer(text).get("/api/services/cases/").status_code == 403


def test_every_use_of_a_key_is_audited_cheaply(world, django_assert_max_num_queries):
    key, text = key_for(world.users["committee"], NOTICES_READ)
    client = bearer(text)
    client.get("/api/notices/")
    with django_assert_max_num_queries(12):
        client.get("/api/notices/")
    uses = AuditEntry.objects.filter(action="api_key_used", object_id=str(key.pk))
    assert uses.count() == 2
    assert "GET /api/notices/" in uses.first().object_repr
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_out_of_scope_calls_are_audited(world):
    key, text = key_for(world.users["committee"], NOTICES_READ)
    bearer(text).get("/api/services/figures/")
    entry = AuditEntry.objects.get(action="api_token_refused")
    assert "needs figures:read" in entry.object_repr


def test_each_token_has_its_own_rate_limit(world, settings):
    settings.API_TOKEN_RATE = "3/hour"
    first = bearer(token_for(world.users["committee"])[1])
    second = bearer(token_for(world.users["committee"])[1])
    for _ in range(3):
        assert first.get("/api/platform/").status_code == 200
    limited = first.get("/api/platform/")
    assert limited.status_code == 429 and "Retry-After" in limited
    assert second.get("/api/platform/").status_code == 200


# --- scopes a plugin declares (api.token_scopes) --------------------------------------

THINGS = "dummy_plugin:things"


def test_a_plugins_scope_opens_only_its_declared_part_of_its_api(world):
    from tests.dummy_plugin.models import Thing

    Thing.objects.create(name="甲")
    client = bearer(key_for(world.users["service_staff"], THINGS)[1])
    listing = client.get("/api/dummy/things/")
    assert listing.status_code == 200 and listing.json()["results"][0]["name"] == "甲"
    # Read only, though the user may add things with a session or a personal token.
    refused = client.post("/api/dummy/things/", {"name": "乙"})
    assert refused.status_code == 403 and not Thing.objects.filter(name="乙").exists()
    # Nothing the scope does not name: the core's endpoints, the plugin's API root.
    assert client.get("/api/notices/").status_code == 403
    assert client.get("/api/dummy/").status_code == 403
    # And a core scope does not open the plugin's API.
    other = bearer(key_for(world.users["service_staff"], NOTICES_READ)[1])
    response = other.get("/api/dummy/things/")
    assert response.status_code == 403 and THINGS in response.json()["detail"]
    entry = AuditEntry.objects.filter(action="api_token_refused").latest("pk")
    assert f"needs {THINGS}" in entry.object_repr


def test_a_plugins_scope_is_never_wider_than_the_users_role(world):
    with pytest.raises(ValueError):
        key_for(world.users["resident"], THINGS)  # no dummy_plugin.view_thing
    with pytest.raises(ValueError):
        key_for(world.users["committee"], "dummy_plugin:nothing")  # not declared
    assert (
        bearer(key_for(world.users["committee"], THINGS)[1]).get("/api/dummy/things/").status_code
        == 200
    )


def test_the_contract_refuses_a_badly_declared_scope():
    from anju.plugins import TokenScope
    from anju.plugins.registry import register_token_scope
    from tests.dummy_plugin.apps import DummyPluginConfig

    for bad in (
        TokenScope("things", "no prefix"),
        TokenScope("other:things", "another plugin's prefix"),
        TokenScope("dummy_plugin:x", "absolute path", path="/api/dummy/"),
        TokenScope("dummy_plugin:x", "no methods", methods=frozenset()),
        {"code": "dummy_plugin:x"},
    ):
        with pytest.raises(TypeError, match="dummy_plugin"):
            register_token_scope(DummyPluginConfig, bad)


def test_issue_refuses_unknown_scopes(world):
    with pytest.raises(ValueError):
        issue(
            world.users["committee"],
            name="x",
            kind=TokenKind.INTEGRATION,
            scopes=["everything"],
            expires=datetime.timedelta(days=1),
        )


def test_the_api_docs_describe_both_ways_in(world):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"] == {**schemes["tokenAuth"], "type": "http", "scheme": "bearer"}
    assert "/api/auth/token/" in schema["paths"] and "/api/auth/code/" in schema["paths"]
    assert "Authorization: Bearer" in schema["info"]["description"]
