"""长辈模式 (elder mode) and the cache; the grid worker's list of accounts to link."""

import pytest
from django.urls import reverse

from anju.community.models import ResidentLink
from anju.notify.models import Message
from anju.portal.site import ensure_home_page
from tests.factories import ResidentFactory

from .conftest import sign_in

pytestmark = pytest.mark.django_db


# --- elder mode -----------------------------------------------------------------------------


def test_one_tap_switches_elder_mode_on_and_off_and_it_is_remembered(client, world):
    ensure_home_page()
    page = client.get("/").content.decode()
    assert "elder-mode" not in page.split("<body", 1)[1].split(">", 1)[0]
    assert "/elder-mode/on/?next=/" in page
    response = client.get("/elder-mode/on/?next=/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies["anju_elder"].value == "1"
    page = client.get("/").content.decode()  # the test client keeps the cookie
    assert 'class=" elder-mode"' in page and "/elder-mode/off/" in page
    response = client.get("/elder-mode/off/?next=/")
    assert response.cookies["anju_elder"].value == ""
    assert 'elder-mode"' not in client.get("/").content.decode()


def test_elder_mode_never_redirects_elsewhere(client, world):
    response = client.get("/elder-mode/on/?next=https://evil.example/")
    assert response["Location"] == "/"
    assert client.get("/elder-mode/maybe/").status_code == 404


def test_the_page_cache_keeps_one_copy_per_mode(client, world, settings):
    settings.PORTAL_CACHE_SECONDS = 300
    ensure_home_page()
    first = client.get("/")
    assert first["X-Anju-Cache"] == "miss"
    assert client.get("/")["X-Anju-Cache"] == "hit"
    client.cookies["anju_elder"] = "1"
    elder = client.get("/")
    assert elder["X-Anju-Cache"] == "miss" and "elder-mode" in elder.content.decode()
    again = client.get("/")
    assert again["X-Anju-Cache"] == "hit" and "elder-mode" in again.content.decode()
    del client.cookies["anju_elder"]
    plain = client.get("/")
    assert plain["X-Anju-Cache"] == "hit" and 'class=" elder-mode"' not in plain.content.decode()


# --- linking accounts in the admin ------------------------------------------------------------


@pytest.fixture
def pending(client, world):
    """An account whose phone two residents of grid 1 share, and one nobody has."""
    ResidentFactory(household=world.household1, phone=world.resident1.phone, name="王小红")
    sign_in(client, world.resident1.phone)
    client.logout()
    sign_in(client, "13700000000")
    client.logout()
    shared = ResidentLink.objects.get(grid=world.grid1)
    unknown = ResidentLink.objects.get(grid__isnull=True)
    return shared, unknown


LIST = "/admin/resident-links/"


@pytest.mark.parametrize(
    "role, sees_shared, sees_unknown, status",
    [
        ("superuser", True, True, 200),
        ("committee", True, True, 200),
        ("grid_worker", True, False, 200),
        # Wagtail answers a refused admin view with a redirect to the dashboard.
        ("resident_rep", False, False, 302),
        ("service_staff", False, False, 302),
        ("resident", False, False, 302),
    ],
)
def test_who_sees_which_accounts_to_link(
    client, world, pending, role, sees_shared, sees_unknown, status
):
    shared, unknown = pending
    client.force_login(world.users[role])
    response = client.get(LIST)
    assert response.status_code == status
    body = response.content.decode() if status == 200 else ""
    assert (f'data-link="{shared.pk}"' in body) is sees_shared
    assert (f'data-link="{unknown.pk}"' in body) is sees_unknown
    detail = client.get(reverse("residents_admin_decide", args=[unknown.pk]))
    assert detail.status_code == (200 if sees_unknown else 404 if status == 200 else status)


def test_anonymous_goes_to_the_admin_login(client, world):
    response = client.get(LIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_grid_worker_links_an_ambiguous_account(client, world, pending):
    shared, _unknown = pending
    client.force_login(world.users["grid_worker"])
    url = reverse("residents_admin_decide", args=[shared.pk])
    page = client.get(url).content.decode()
    assert "王小明" in page and "王小红" in page  # both candidates
    response = client.post(
        url, {"resident": world.resident1.pk, "kind": "self", "decision": "confirm"}
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.state == "confirmed" and shared.resident == world.resident1
    assert Message.objects.filter(
        template="residents.link_confirmed", user=shared.user, channel="in_app"
    ).exists()
    # The resident's community's: its committee sees it in the outbox.
    assert set(
        Message.objects.filter(template="residents.link_confirmed").values_list(
            "community_id", flat=True
        )
    ) == {world.resident1.community_id}


def test_the_grid_worker_cannot_link_to_another_grids_resident(client, world, pending):
    shared, _unknown = pending
    client.force_login(world.users["grid_worker"])
    url = reverse("residents_admin_decide", args=[shared.pk])
    response = client.post(
        url, {"resident": world.resident2.pk, "kind": "self", "decision": "confirm"}
    )
    assert response.status_code == 200  # not a choice: the form says so
    shared.refresh_from_db()
    assert shared.state == "pending"


def test_rejecting_a_link(client, world, pending):
    shared, _unknown = pending
    client.force_login(world.users["grid_worker"])
    url = reverse("residents_admin_decide", args=[shared.pk])
    client.post(url, {"kind": "self", "decision": "reject"})
    shared.refresh_from_db()
    assert shared.state == "rejected"


def test_the_grid_worker_links_a_family_member_as_proxy(client, world):
    client.force_login(world.users["grid_worker"])
    response = client.post(
        "/admin/resident-links/proxy/", {"resident": world.resident1.pk, "phone": "137 5555 6666"}
    )
    assert response.status_code == 302
    link = ResidentLink.objects.get(resident=world.resident1)
    assert (link.kind, link.state) == ("proxy", "confirmed")
    assert link.user.resident_account.phone == "13755556666"
    # Not for another grid's resident.
    response = client.post(
        "/admin/resident-links/proxy/", {"resident": world.resident2.pk, "phone": "13755557777"}
    )
    assert response.status_code == 200
    assert not ResidentLink.objects.filter(resident=world.resident2).exists()
