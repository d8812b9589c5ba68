"""Partner organisations (合作单位): their staff see only what was handed over to their
organisation — the case in the admin and the API, never the register; anything else is
a 404 (or an empty list). A hand-over is recorded in the case's timeline and told to the
organisation's staff."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from anju.community.models import Household, Resident
from anju.notify.models import Message
from anju.permissions import (
    PARTNER_STAFF,
    PartnerOrganisation,
    hand_over,
    handed_over_ids,
    is_grid_restricted,
    scope_queryset,
)
from anju.services import CaseEvent, WorkflowError, hand_over_case, visible_cases
from tests import factories as f
from tests.platform.services.conftest import file_case

pytestmark = pytest.mark.django_db

CASES = "/api/services/cases/"


@pytest.fixture
def cases(world, built_service):
    """Two cases of grid 1 and one of grid 2; the first is handed to the gas company."""
    handed = file_case(built_service, household=world.household1)
    kept = file_case(built_service, household=world.household1, name="张三")
    other = file_case(built_service, household=world.household2, name="李大红")
    hand_over_case(handed, world.gas_company, actor=world.users["committee"], note="燃气问题")
    return handed, kept, other


def api(world, role):
    client = APIClient()
    client.force_login(world.users[role])
    return client


def test_partner_staff_is_a_grid_restricted_role_with_no_grid(world):
    user = world.users["partner_staff"]
    assert user.groups.filter(name=PARTNER_STAFF.name).exists()
    assert is_grid_restricted(user)
    assert not scope_queryset(Household.objects.all(), user).exists()
    assert not scope_queryset(Resident.objects.all(), user).exists()


def test_partner_sees_only_the_handed_over_case_in_the_api(world, cases):
    handed, kept, other = cases
    client = api(world, "partner_staff")
    listing = client.get(CASES)
    assert listing.status_code == 200
    assert [row["reference"] for row in listing.json()["results"]] == [handed.reference]
    assert client.get(f"{CASES}{handed.reference}/").status_code == 200
    assert client.get(f"{CASES}{kept.reference}/").status_code == 404
    assert client.get(f"{CASES}{other.reference}/").status_code == 404


def test_partner_never_sees_the_register(world, cases):
    client = api(world, "partner_staff")
    for url in (
        f"/api/community/households/{world.household1.pk}/",
        f"/api/community/residents/{world.resident1.pk}/",
    ):
        assert client.get(url).status_code in (403, 404), url
    households = client.get("/api/community/households/")
    assert households.status_code == 403 or households.json()["results"] == []


def test_partner_sees_only_the_handed_over_case_in_the_admin(world, cases, client):
    handed, kept, other = cases
    client.force_login(world.users["partner_staff"])
    inbox = client.get("/admin/cases/")
    assert inbox.status_code == 200
    assert handed.reference in inbox.content.decode()
    assert kept.reference not in inbox.content.decode()
    assert client.get(f"/admin/cases/{handed.pk}/").status_code == 200
    assert client.get(f"/admin/cases/{kept.pk}/").status_code == 404
    assert client.get(f"/admin/cases/{other.pk}/").status_code == 404
    household = client.get(reverse("community_household:inspect", args=[world.household1.pk]))
    assert household.status_code in (302, 403, 404)


def test_other_roles_are_unchanged_by_a_hand_over(world, cases):
    handed, kept, other = cases
    seen = set(visible_cases(world.users["grid_worker"]).values_list("pk", flat=True))
    assert seen == {handed.pk, kept.pk}
    assert not visible_cases(world.users["service_staff"]).filter(pk=handed.pk).exists()


def test_a_member_of_another_organisation_sees_nothing(world, cases):
    brigade = PartnerOrganisation.objects.create(
        community=world.community, code="fire_brigade", name="县消防救援大队"
    )
    firefighter = f.UserFactory(username="firefighter", role=PARTNER_STAFF)
    brigade.members.add(firefighter)
    assert not visible_cases(firefighter).exists()
    client = APIClient()
    client.force_login(firefighter)
    assert client.get(f"{CASES}{cases[0].reference}/").status_code == 404


def test_hand_over_is_in_the_timeline_and_told_to_the_organisation(world, cases):
    handed = cases[0]
    event = CaseEvent.objects.filter(case=handed, text__contains="县燃气公司").get()
    assert not event.public
    assert Message.objects.filter(
        user=world.users["partner_staff"], template="services.handed_over"
    ).exists()


def test_handing_over_twice_changes_nothing(world, cases):
    handed = cases[0]
    assert hand_over_case(handed, world.gas_company) is False
    _handover, created = hand_over(handed, world.gas_company)
    assert not created
    assert CaseEvent.objects.filter(case=handed, text__contains="县燃气公司").count() == 1


def test_an_organisation_of_another_community_is_refused(world, cases):
    elsewhere = f.CommunityFactory(code="elsewhere")
    outsider = PartnerOrganisation.objects.create(
        community=elsewhere, code="gas_company", name="别处燃气公司"
    )
    with pytest.raises(WorkflowError):
        hand_over_case(cases[1], outsider)


def test_partner_may_work_on_a_handed_over_case(world, cases):
    handed = cases[0]
    client = api(world, "partner_staff")
    response = client.post(
        f"{CASES}{handed.reference}/comment/", {"text": "已安排上门", "public": True}, format="json"
    )
    assert response.status_code in (200, 201), response.content


def test_handed_over_ids_is_empty_for_anonymous(world, cases):
    from django.contrib.auth.models import AnonymousUser

    from anju.services import Case

    assert not list(handed_over_ids(AnonymousUser(), Case))


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("superuser", True),
        ("committee", True),
        ("grid_worker", False),
        ("resident_rep", False),
        ("service_staff", False),
        ("partner_staff", False),
    ],
)
def test_partner_organisations_admin_per_role(world, client, role, allowed):
    client.force_login(world.users[role])
    response = client.get(reverse("partner_organisations:index"))
    if allowed:
        assert response.status_code == 200 and "县燃气公司" in response.content.decode()
    else:
        assert response.status_code in (302, 403)


def test_committee_adds_a_partner_organisation_in_the_admin(world, client):
    client.force_login(world.users["committee"])
    response = client.post(
        reverse("partner_organisations:add"),
        {
            "community": world.community.pk,
            "code": "fire_brigade",
            "name": "县消防救援大队",
            "phone": "119",
            "members": [],
        },
    )
    assert response.status_code == 302, response.content
    assert PartnerOrganisation.objects.filter(code="fire_brigade").exists()
    # The same code twice in one community is refused with a message, not a 500.
    again = client.post(
        reverse("partner_organisations:add"),
        {"community": world.community.pk, "code": "fire_brigade", "name": "重复", "phone": ""},
    )
    assert again.status_code == 200
    assert PartnerOrganisation.objects.filter(code="fire_brigade").count() == 1
