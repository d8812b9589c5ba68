"""Who sees a dispute: the grid's team and the committee; a resident only the status of
their own case; nobody the parties' whole phone numbers."""

import pytest
from django.urls import reverse

from .conftest import OUTSIDER_PHONE, refused

pytestmark = pytest.mark.django_db

# role -> (sees grid 1's dispute, sees grid 2's dispute)
SEES = {
    "superuser": (True, True),
    "committee": (True, True),
    "grid_worker": (True, False),
    "resident_rep": (True, False),
    "service_staff": (False, False),
    "resident": (False, False),
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_admin_list_and_detail_per_role(world, dispute1, dispute2, client, role):
    client.force_login(world.users[role])
    sees1, sees2 = SEES[role]
    response = client.get(reverse("disputes_admin:index"), {"state": "all"})
    if not (sees1 or sees2):
        # service staff: refused; a resident (no admin access): sent to sign in
        assert response.status_code in (302, 403)
        detail = client.get(reverse("disputes_admin:detail", args=[dispute1.pk]))
        assert detail.status_code in (302, 403)
        assert dispute1.summary not in detail.content.decode()
        return
    assert response.status_code == 200
    shown = {d.pk for d in response.context["disputes"]}
    assert shown == {d.pk for d, sees in ((dispute1, sees1), (dispute2, sees2)) if sees}
    for dispute, sees in ((dispute1, sees1), (dispute2, sees2)):
        detail = client.get(reverse("disputes_admin:detail", args=[dispute.pk]))
        assert detail.status_code == (200 if sees else 404)
        if sees:
            html = detail.content.decode()
            assert dispute.summary in html
            assert OUTSIDER_PHONE not in html and "139****6666" in html


@pytest.mark.parametrize("role", sorted(SEES))
def test_api_per_role(world, dispute1, dispute2, client, role):
    client.force_login(world.users[role])
    sees1, sees2 = SEES[role]
    response = client.get("/api/disputes/")
    if not (sees1 or sees2):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {r["id"] for r in rows} == {
        d.pk for d, sees in ((dispute1, sees1), (dispute2, sees2)) if sees
    }
    assert OUTSIDER_PHONE not in response.content.decode()
    assert "139****6666" in response.content.decode()
    for dispute, sees in ((dispute1, sees1), (dispute2, sees2)):
        assert client.get(f"/api/disputes/{dispute.pk}/").status_code == (200 if sees else 404)


def test_anonymous_gets_nothing(world, dispute1, client):
    assert client.get("/api/disputes/").status_code in (401, 403)
    assert client.get(f"/api/disputes/{dispute1.pk}/").status_code in (401, 403)
    response = client.get(reverse("disputes_admin:detail", args=[dispute1.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_resident_rep_reads_but_cannot_act(world, dispute1, client):
    client.force_login(world.users["resident_rep"])
    detail = client.get(reverse("disputes_admin:detail", args=[dispute1.pk]))
    assert detail.status_code == 200 and not detail.context["may_handle"]
    url = reverse("disputes_admin:act", args=[dispute1.pk, "resolve"])
    assert refused(client.post(url, {}))
    dispute1.refresh_from_db()
    assert dispute1.is_open


def test_grid_worker_cannot_act_on_another_grids_dispute(world, dispute2, client):
    client.force_login(world.users["grid_worker"])
    url = reverse("disputes_admin:act", args=[dispute2.pk, "resolve"])
    assert client.post(url, {}).status_code == 404
    dispute2.refresh_from_db()
    assert dispute2.is_open


def test_resident_tracks_only_the_status(world, dispute1, client):
    """The engine's tracking page: status and public entries, never the details."""
    case = dispute1.case
    response = client.post(
        "/cases/track/", {"reference": case.reference, "phone_last4": case.phone_last4}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert dispute1.summary not in html
    assert "外来人员" not in html


def test_household_panel_lists_the_households_disputes(world, dispute1, dispute2, rf):
    from anju.community.panels import render_household_panels

    request = rf.get("/admin/")
    request.user = world.users["grid_worker"]
    html = render_household_panels(world.household1, request)
    assert dispute1.reference in html
    assert dispute2.reference not in html
    request.user = world.users["service_staff"]
    assert dispute1.reference not in render_household_panels(world.household1, request)


def test_household_panel_finds_a_household_that_is_only_a_party(world, client, rf):
    from anju.community.panels import render_household_panels
    from plugins.disputes.models import DisputeParty

    from .conftest import file_dispute

    dispute = file_dispute(
        world.household1, parties=[DisputeParty(resident=world.resident2)]
    )  # filed for household 1, against a resident of household 2
    request = rf.get("/admin/")
    request.user = world.users["committee"]
    assert dispute.reference in render_household_panels(world.household2, request)
