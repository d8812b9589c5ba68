"""Login lockout (django-axes, anju.permissions.lockout) on every login: the staff
admin's password login and the residents' SMS-code sign-in. Axes is enabled here as
everywhere; each test starts with no attempts recorded (a fresh database)."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings

from anju.core.models import AuditEntry
from anju.residents.signin import lockout_username
from tests.platform.residents.conftest import ask_code, enter_code, last_code

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
LOCKOUTS = "/admin/lockouts/"
LOCKED_TEXT = "错误次数太多"


def text(response) -> str:
    return response.content.decode()


def admin_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def assert_locked(response):
    assert response.status_code == 429, (response.status_code, text(response)[:500])
    assert LOCKED_TEXT in text(response) and "分钟" in text(response)
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= settings.AXES_COOLOFF_TIME.total_seconds()


def lock_out_admin(client, username="committee"):
    responses = [admin_login(client, username, "wrong-password") for _ in range(20)]
    return responses


def test_settings_put_axes_first_and_keep_guardian():
    assert settings.AXES_ENABLED
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert "guardian.backends.ObjectPermissionBackend" in settings.AUTHENTICATION_BACKENDS
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    # Lockouts live in the database, so they hold with Redis down.
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_twenty_wrong_passwords_lock_the_admin_login(client, world):
    responses = lock_out_admin(client)
    limit = settings.AXES_FAILURE_LIMIT
    # Before the limit: the login form again, with its error.
    assert all(r.status_code == 200 for r in responses[: limit - 1])
    # From the limit on: locked, in Chinese, with Retry-After — never a bare 403.
    for response in responses[limit - 1 :]:
        assert_locked(response)
    attempt = AccessAttempt.objects.get(username="committee")
    assert attempt.failures_since_start >= limit
    assert "wrong-password" not in attempt.post_data
    assert AccessFailureLog.objects.filter(username="committee").count() >= limit

    # The right password while locked is refused too, and nobody is signed in.
    response = admin_login(client, "committee", "pw")
    assert_locked(response)
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked (username + address).
    assert admin_login(client, "staff", "pw").status_code == 302


def test_a_lockout_is_per_address_behind_the_load_balancer(client, world, settings):
    settings.CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, "committee", "wrong", HTTP_X_REAL_IP="203.0.113.7")
    assert_locked(admin_login(client, "committee", "pw", HTTP_X_REAL_IP="203.0.113.7"))
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    # The same account from another client address signs in.
    assert admin_login(client, "committee", "pw", HTTP_X_REAL_IP="198.51.100.2").status_code == 302


def test_a_committee_member_unlocks_and_the_login_works_again(client, world):
    lock_out_admin(client, "gridworker")
    assert_locked(admin_login(client, "gridworker", "pw"))

    committee = client.__class__()
    committee.force_login(world.users["committee"])
    listing = committee.get(LOCKOUTS)
    assert listing.status_code == 200 and "gridworker" in text(listing)
    attempt = AccessAttempt.objects.get(username="gridworker")
    response = committee.post(f"{LOCKOUTS}{attempt.pk}/unlock/")
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="gridworker").exists()
    entry = AuditEntry.objects.get(action="unlock_login")
    assert entry.user == world.users["committee"] and entry.object_id == str(attempt.pk)
    assert f'data-attempt="{attempt.pk}"' not in text(committee.get(LOCKOUTS))

    response = admin_login(client, "gridworker", "pw")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users["grid_worker"].pk)


def test_the_settings_menu_shows_lockouts_to_the_committee_only(client, world):
    client.force_login(world.users["committee"])
    assert LOCKOUTS in text(client.get("/admin/"))
    client.force_login(world.users["grid_worker"])
    assert LOCKOUTS not in text(client.get("/admin/"))


@pytest.mark.parametrize(
    "role, may",
    [
        ("superuser", True),
        ("committee", True),
        ("grid_worker", False),
        ("resident_rep", False),
        ("service_staff", False),
        ("resident", False),
        ("anonymous", False),
    ],
)
def test_who_may_see_and_lift_lockouts(client, world, role, may):
    lock_out_admin(client, "gridworker")
    attempt = AccessAttempt.objects.get(username="gridworker")
    client.logout()
    if role != "anonymous":
        client.force_login(world.users[role])
    listing = client.get(LOCKOUTS)
    unlock = client.post(f"{LOCKOUTS}{attempt.pk}/unlock/")
    if may:
        assert listing.status_code == 200 and "gridworker" in text(listing)
        assert unlock.status_code == 302
        assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    else:
        # Refused: Wagtail answers a refusal with its dashboard (or the login page).
        assert listing.status_code in (302, 403) and "data-attempt" not in text(listing)
        assert unlock.status_code in (302, 403)
        if unlock.status_code == 302:
            assert unlock["Location"].startswith(("/admin/login/", "/admin/"))
            assert unlock["Location"] != LOCKOUTS
        # Still locked, and no unlock was audited.
        assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
        assert not AuditEntry.objects.filter(action="unlock_login").exists()


def test_a_committee_sees_and_lifts_only_its_own_communitys_lockouts(client, world):
    """Two communities: the committee of the first sees its grid worker, its partner's
    staff and its residents' phone sign-ins locked out, never the second's people, nor
    the station's staff who serve every community; a superuser sees them all."""
    from anju.community.models import TeamRole
    from anju.permissions import roles
    from tests import factories as f

    other = f.CommunityFactory(code="other", name="别的社区")
    other_grid = f.GridFactory(community=other, number=1)
    other_worker = f.UserFactory(username="otherworker", role=roles.GRID_WORKER)
    f.seat(other_worker, other_grid, TeamRole.GRID_WORKER)
    other_household = f.HouseholdFactory(building=f.BuildingFactory(grid=other_grid))
    other_resident = f.ResidentFactory(household=other_household, phone="13700009999")
    for username in ("gridworker", "gascompany", "otherworker", "staff"):
        lock_out_admin(client, username)
    for phone in (world.resident1.phone, other_resident.phone):
        ask_code(client, phone)
        code = last_code(phone)
        for _ in range(settings.AXES_FAILURE_LIMIT):
            enter_code(client, phone, _wrong(code))
    ours = {"gridworker", "gascompany", lockout_username(world.resident1.phone)}
    theirs = {"otherworker", "staff", lockout_username(other_resident.phone)}
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == ours | theirs

    committee = client.__class__()
    committee.force_login(world.users["committee"])
    listing = text(committee.get(LOCKOUTS))
    for username in ours:
        assert username in listing
    for username in theirs:
        assert username not in listing
    for username in theirs:
        pk = AccessAttempt.objects.get(username=username).pk
        assert committee.post(f"{LOCKOUTS}{pk}/unlock/").status_code == 404
    assert AccessAttempt.objects.filter(username__in=theirs).count() == len(theirs)
    assert not AuditEntry.objects.filter(action="unlock_login").exists()
    pk = AccessAttempt.objects.get(username=lockout_username(world.resident1.phone)).pk
    assert committee.post(f"{LOCKOUTS}{pk}/unlock/").status_code == 302

    root = client.__class__()
    root.force_login(world.users["superuser"])
    listing = text(root.get(LOCKOUTS))
    for username in (ours | theirs) - {lockout_username(world.resident1.phone)}:
        assert username in listing


def test_unlocking_a_lockout_that_is_gone_is_a_404(client, world):
    client.force_login(world.users["committee"])
    assert client.post(f"{LOCKOUTS}999999/unlock/").status_code == 404
    assert client.get(f"{LOCKOUTS}999999/unlock/").status_code == 405


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_wrong_sms_codes_lock_that_phone_from_that_address(client, world):
    phone = world.resident1.phone
    ask_code(client, phone)
    code = last_code(phone)
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert enter_code(client, phone, _wrong(code)).status_code == 400
    assert_locked(enter_code(client, phone, _wrong(code)))
    attempt = AccessAttempt.objects.get()
    # Counted under the account's name, a hash: no phone number, no code stored.
    assert attempt.username == lockout_username(phone)
    assert phone not in attempt.username + attempt.post_data + attempt.get_data
    assert code not in attempt.post_data

    # A fresh code does not help while locked: refused before it is even checked.
    ask_code(client, phone)
    assert_locked(enter_code(client, phone, last_code(phone)))
    assert "_auth_user_id" not in client.session

    # Another phone from the same address still signs in.
    other = world.resident2.phone
    ask_code(client, other)
    assert enter_code(client, other, last_code(other)).status_code == 302


def test_an_unlocked_resident_signs_in_and_success_clears_the_count(client, world):
    phone = world.resident1.phone
    ask_code(client, phone)
    code = last_code(phone)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        enter_code(client, phone, _wrong(code))
    admin = client.__class__()
    admin.force_login(world.users["superuser"])
    attempt = AccessAttempt.objects.get()
    assert admin.post(f"{LOCKOUTS}{attempt.pk}/unlock/").status_code == 302

    ask_code(client, phone)
    code = last_code(phone)
    assert enter_code(client, phone, _wrong(code)).status_code == 400
    assert enter_code(client, phone, code).status_code == 302
    # A success resets the failures for that account.
    assert not AccessAttempt.objects.filter(username=lockout_username(phone)).exists()


def test_the_lockout_message_is_english_on_the_english_portal(client, world):
    phone = world.resident1.phone
    client.post("/en/sign-in/", {"action": "send", "phone": phone})
    code = last_code(phone)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            "/en/sign-in/", {"action": "verify", "phone": phone, "code": _wrong(code)}
        )
    assert response.status_code == 429 and "Too many failed sign-in attempts" in text(response)
