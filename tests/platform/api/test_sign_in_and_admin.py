"""Residents sign in over the API (phone + SMS code for a token) with the portal's
limits and no enumeration; administrators issue and revoke tokens in the admin."""

import re

import pytest
from rest_framework.test import APIClient

from anju.api.models import ApiToken, TokenKind
from anju.core.models import AuditEntry

from .conftest import bearer, last_code

pytestmark = pytest.mark.django_db


def ask(client, phone):
    return client.post("/api/auth/code/", {"phone": phone}, format="json")


def exchange(client, phone, code):
    return client.post("/api/auth/token/", {"phone": phone, "code": code}, format="json")


def test_a_resident_signs_in_for_a_token_and_sees_their_own_cases(world, built_service):
    from tests.platform.services.conftest import file_case

    phone = world.resident1.phone
    client = APIClient()
    assert ask(client, phone).status_code == 202
    response = exchange(client, phone, last_code(phone))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["token"].startswith("anju_") and data["kind"] == "personal"
    token = ApiToken.objects.get(user__username=data["user"])
    assert token.expiry is not None and token.kind == TokenKind.PERSONAL

    file_case(built_service, household=world.household1)  # their household's case
    file_case(built_service, household=world.household2)  # someone else's
    cases = bearer(data["token"]).get("/api/services/my-cases/").json()
    assert cases["count"] == 1
    me = bearer(data["token"]).get("/api/auth/me/").json()
    assert me["roles"] == ["居民"]


def test_asking_for_a_code_says_the_same_for_unknown_numbers(world):
    known = ask(APIClient(), world.resident1.phone)
    unknown = ask(APIClient(), "13600000000")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()


def test_a_wrong_code_is_a_400_in_chinese(world):
    phone = world.resident1.phone
    ask(APIClient(), phone)
    response = exchange(APIClient(), phone, "000000" if last_code(phone) != "000000" else "111111")
    assert response.status_code == 400
    assert "code" in response.json()
    assert not ApiToken.objects.exists()


def test_bad_phone_numbers_are_400_not_500(world):
    response = ask(APIClient(), "12345")
    assert response.status_code == 400 and "11" in response.json()["phone"][0]
    assert exchange(APIClient(), "abc", "12").status_code == 400


def test_the_api_shares_the_portals_code_rate_per_address(world, settings):
    settings.RESIDENTS_CODE_RATE = "2/h"
    client = APIClient()
    # One from the portal, one from the API: the third, from either, is refused.
    assert client.post("/sign-in/", {"action": "send", "phone": "13600000001"}).status_code == 200
    assert ask(client, "13600000002").status_code == 202
    refused = ask(client, "13600000003")
    assert refused.status_code == 429 and refused.json()["detail"]


def test_wrong_codes_lock_the_phone_out_as_on_the_portal(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    phone = world.resident1.phone
    ask(APIClient(), phone)
    code = last_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    statuses = [exchange(APIClient(), phone, wrong).status_code for _ in range(3)]
    assert statuses[-1] == 429
    locked = exchange(APIClient(), phone, code)  # even the right code, while locked
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0


# --- the admin ----------------------------------------------------------------------


def issue_in_admin(client, **data):
    return client.post("/admin/api_tokens/new/", data, follow=True)


def test_an_administrator_issues_an_integration_key_in_the_admin(world):
    admin = APIClient()
    admin.force_login(world.users["superuser"])
    response = issue_in_admin(
        admin,
        user=world.users["committee"].pk,
        kind="integration",
        name="县平台",
        scopes=["notices:read", "figures:read"],
        expires_on="2099-01-01",
    )
    assert response.status_code == 200
    # Far beyond API_TOKEN_MAX_DAYS: refused with the reason, nothing issued.
    assert not ApiToken.objects.exists()
    assert "365" in response.content.decode()

    import datetime

    from django.utils import timezone

    soon = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = issue_in_admin(
        admin,
        user=world.users["committee"].pk,
        kind="integration",
        name="县平台",
        scopes=["notices:read", "figures:read"],
        expires_on=soon,
    )
    key = ApiToken.objects.get()
    assert key.kind == "integration" and key.scopes == ["figures:read", "notices:read"]
    assert key.issued_by == world.users["superuser"]
    shown = [str(m) for m in response.context["messages"]]
    text = next(re.search(r"anju_[0-9a-f]+", m).group() for m in shown if "anju_" in m)
    assert bearer(text).get("/api/services/figures/").status_code == 200
    assert AuditEntry.objects.filter(action="api_token_issued", object_id=str(key.pk)).exists()

    # Revoked in the admin: refused at once.
    admin.post(f"/admin/api_tokens/edit/{key.pk}/", {"name": "县平台", "revoke": "on"})
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == world.users["superuser"]
    assert bearer(text).get("/api/services/figures/").status_code == 401


def test_the_admin_refuses_a_key_wider_than_its_users_role(world):
    import datetime

    from django.utils import timezone

    admin = APIClient()
    admin.force_login(world.users["superuser"])
    response = issue_in_admin(
        admin,
        user=world.users["resident"].pk,
        kind="integration",
        name="x",
        scopes=["figures:read"],
        expires_on=(timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
    )
    assert not ApiToken.objects.exists()
    assert "never wider" in response.content.decode() or "不会超出" in response.content.decode()


@pytest.mark.parametrize("role", ["committee", "grid_worker", "service_staff"])
def test_only_administrators_reach_the_token_admin(world, role):
    client = APIClient()
    client.force_login(world.users[role])
    assert client.get("/admin/api_tokens/").status_code in (302, 403)


def test_the_token_admin_lists_and_offers_the_form_to_administrators(world):
    from .conftest import token_for

    token_for(world.users["committee"], name="张主任的脚本")
    admin = APIClient()
    admin.force_login(world.users["superuser"])
    listing = admin.get("/admin/api_tokens/")
    assert listing.status_code == 200 and "张主任的脚本" in listing.content.decode()
    form = admin.get("/admin/api_tokens/new/")
    assert form.status_code == 200
    assert "提交诉求并跟踪进度" in form.content.decode()  # the scopes, in Chinese
    assert 'value="dummy_plugin:things"' in form.content.decode()  # and plugins' scopes


def test_an_administrator_gives_a_key_a_plugins_scope_in_the_admin(world):
    import datetime

    from django.utils import timezone

    admin = APIClient()
    admin.force_login(world.users["superuser"])
    soon = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    refused = issue_in_admin(
        admin,
        user=world.users["resident"].pk,
        kind="integration",
        name="物品屏",
        scopes=["dummy_plugin:things"],
        expires_on=soon,
    )
    assert refused.status_code == 200 and not ApiToken.objects.exists()
    assert "Read the things" in refused.content.decode()  # named in the refusal
    issue_in_admin(
        admin,
        user=world.users["committee"].pk,
        kind="integration",
        name="物品屏",
        scopes=["dummy_plugin:things"],
        expires_on=soon,
    )
    assert ApiToken.objects.get().scopes == ["dummy_plugin:things"]


def test_a_token_opens_the_api_only_never_the_admin(world, tokens):
    response = bearer(tokens["superuser"]).get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]
