"""Overdue hazards climb the ladder grid → community → partner organisation: the
engine's SLA sweep escalates an overdue hazard's case to the community; when it runs
over there too, the plugin hands it to the partner for its kind (the fire brigade, the
gas company), whose staff then see it — and only it: anything else is a 404."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from anju.permissions import PARTNER_STAFF, handovers_of
from anju.services import Case, Level, Status
from anju.services.sla import sweep_overdue
from plugins.safety import handling
from plugins.safety.tasks import escalate_overdue_hazards
from tests import factories as f

pytestmark = pytest.mark.django_db


def past(hours):
    return timezone.now() - timezone.timedelta(hours=hours)


@pytest.fixture
def hazards(world, fire_brigade):
    """Two hazards in grid 1 (an e-bike charging indoors: fire; a leak alarm the gas
    company must fit), one in grid 2."""
    worker, committee = world.users["grid_worker"], world.users["committee"]
    ebike = handling.file_hazard(world.household1, item="ebike", actor=worker)
    alarm = handling.file_hazard(world.household1, item="leak_alarm", actor=worker)
    other = handling.file_hazard(world.household2, item="wiring", actor=committee)
    return ebike, alarm, other


def run_sweep(capture):
    with capture(execute=True):
        return sweep_overdue()


def test_overdue_hazard_goes_grid_community_partner(
    world, hazards, fire_brigade, django_capture_on_commit_callbacks
):
    ebike = hazards[0]
    Case.objects.filter(pk=ebike.case_id).update(resolve_due=past(1))
    run_sweep(django_capture_on_commit_callbacks)
    ebike.case.refresh_from_db()
    assert ebike.case.level == Level.COMMUNITY and ebike.case.status == Status.ESCALATED
    assert not handovers_of(ebike.case).exists()

    # Overdue again, at community level: the plugin's beat task (safety.escalate_
    # overdue_hazards) hands it to the partner for its kind.
    Case.objects.filter(pk=ebike.case_id).update(resolve_due=past(1))
    run_sweep(django_capture_on_commit_callbacks)
    assert escalate_overdue_hazards() == 1
    assert [h.organisation for h in handovers_of(ebike.case)] == [fire_brigade]
    # The others were not overdue: nobody outside the community has them.
    assert not handovers_of(hazards[1].case).exists()
    assert not handovers_of(hazards[2].case).exists()


def test_escalated_by_hand_then_overdue_goes_to_the_partner_at_once(
    world, hazards, fire_brigade, django_capture_on_commit_callbacks
):
    """A hazard the grid escalated itself runs over at community level: the engine's
    sweep marks it breached and says "overdue"; the plugin's receiver hands it over
    in the same run."""
    from anju.services import escalate

    ebike = hazards[0]
    with django_capture_on_commit_callbacks(execute=True):
        escalate(ebike.case, actor=world.users["grid_worker"], reason="需要社区协调")
    Case.objects.filter(pk=ebike.case_id).update(resolve_due=past(1))
    run_sweep(django_capture_on_commit_callbacks)
    assert [h.organisation for h in handovers_of(ebike.case)] == [fire_brigade]


def test_a_gas_company_hazard_goes_to_the_gas_company(world, hazards):
    alarm = hazards[1]
    assert alarm.responsible == "gas_company"
    Case.objects.filter(pk=alarm.case_id).update(
        level=Level.COMMUNITY, status=Status.ESCALATED, resolve_due=past(1), sla_breached=True
    )
    assert escalate_overdue_hazards() == 1
    assert [h.organisation for h in handovers_of(alarm.case)] == [world.gas_company]
    assert escalate_overdue_hazards() == 0  # handing over twice changes nothing


@pytest.fixture
def handed(world, hazards):
    """The leak-alarm hazard, overdue at community level, handed to the gas company."""
    alarm = hazards[1]
    Case.objects.filter(pk=alarm.case_id).update(
        level=Level.COMMUNITY, status=Status.ESCALATED, resolve_due=past(1)
    )
    escalate_overdue_hazards()
    return alarm


def partner(world):
    client = APIClient()
    client.force_login(world.users["partner_staff"])
    return client


def test_partner_sees_only_the_handed_over_hazard_in_the_api(world, hazards, handed):
    client = partner(world)
    listing = client.get("/api/safety/hazards/")
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [handed.pk]
    assert client.get(f"/api/safety/hazards/{handed.pk}/").status_code == 200
    for other in (hazards[0], hazards[2]):
        assert client.get(f"/api/safety/hazards/{other.pk}/").status_code == 404
    # Never the register: gas statuses and households are grid data it has no grid for.
    gas = client.get("/api/safety/gas/")
    assert gas.status_code == 403 or gas.json()["results"] == []
    assert client.get(f"/api/community/households/{world.household1.pk}/").status_code in (
        403,
        404,
    )


def test_partner_sees_only_the_handed_over_hazard_in_the_admin(world, client, hazards, handed):
    client.force_login(world.users["partner_staff"])
    index = client.get(reverse("safety_hazards:index"), {"state": "all"})
    assert index.status_code == 200
    body = index.content.decode()
    assert handed.case.reference in body
    assert hazards[0].case.reference not in body and hazards[2].case.reference not in body
    assert client.get(reverse("safety_hazards:detail", args=[handed.pk])).status_code == 200
    for other in (hazards[0], hazards[2]):
        assert client.get(reverse("safety_hazards:detail", args=[other.pk])).status_code == 404
        assert client.get(reverse("safety_hazards:photo", args=[other.pk])).status_code == 404


def test_partner_marks_it_rectified_but_does_not_recheck(world, hazards, handed):
    client = partner(world)
    url = f"/api/safety/hazards/{handed.pk}/"
    response = client.post(url + "rectify/", {"note": "已安装报警器"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "rectified"
    assert client.post(url + "recheck/", {"passed": "yes"}).status_code == 403
    assert (
        client.post(f"/api/safety/hazards/{hazards[0].pk}/rectify/", {"note": "x"}).status_code
        == 404
    )


def test_staff_of_another_partner_see_nothing(world, hazards, handed, fire_brigade):
    firefighter = f.UserFactory(username="firefighter", role=PARTNER_STAFF)
    fire_brigade.members.add(firefighter)
    client = APIClient()
    client.force_login(firefighter)
    assert client.get("/api/safety/hazards/").json()["results"] == []
    assert client.get(f"/api/safety/hazards/{handed.pk}/").status_code == 404


def test_scope_queryset_reads_the_handover_path(world, hazards, handed):
    """``Hazard.handover_path = "case"``: the core's scope_queryset (every grid-scoped
    admin and API view) gives a partner the hazards whose case was handed over."""
    from anju.permissions import scope_queryset
    from plugins.safety.models import Hazard

    partner_user = world.users["partner_staff"]
    assert list(scope_queryset(Hazard.objects.all(), partner_user)) == [handed]
    worker = world.users["grid_worker"]
    assert set(scope_queryset(Hazard.objects.all(), worker)) == {hazards[0], hazards[1]}


def test_partner_may_not_change_severity(world, hazards, handed):
    client = partner(world)
    response = client.post(
        f"/api/safety/hazards/{handed.pk}/update_details/",
        {"severity": "low", "responsible": "resident"},
    )
    assert response.status_code == 403
    handed.refresh_from_db()
    assert handed.severity != "low"


@pytest.mark.parametrize("body", ["true", "[1, 2]", '"yes"', "null"])
def test_a_body_that_is_not_an_object_is_a_400(world, hazards, handed, body):
    """Schemathesis sent JSON `true` to recheck/ and got a 500: the form was given a
    boolean for its data. Now the missing fields are named, and nothing changes."""
    client = APIClient()
    client.force_authenticate(world.users["committee"])
    url = f"/api/safety/hazards/{handed.pk}/"
    for action, field in (("rectify/", "note"), ("recheck/", "passed")):
        response = client.post(url + action, body, content_type="application/json")
        assert response.status_code == 400, (action, response.content)
        assert field in response.json()
    handed.refresh_from_db()
    assert handed.state != "rectified"
