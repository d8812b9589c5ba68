"""The demo (``manage.py load_demo``): two seasons of checks, hazards in every state,
LPG households in one building, a drill with the fire brigade and the next talk with
the gas company, the partner organisations and their accounts; idempotent."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from anju.campaigns import Campaign, TargetAnswer
from anju.permissions import PartnerOrganisation, handovers_of
from anju.services import Level
from plugins.safety.demo import TITLE
from plugins.safety.models import GasState, GasStatus, Hazard, HazardState, SafetyTalk

pytestmark = pytest.mark.django_db


def test_the_demo_shows_it_all(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    campaign = Campaign.objects.get(title=TITLE)
    assert campaign.rounds.count() == 2
    answered = TargetAnswer.objects.filter(target__round__campaign=campaign)
    assert answered.values("target__round").distinct().count() == 2

    lpg = GasStatus.objects.filter(state=GasState.LPG)
    assert lpg.exists()
    assert lpg.values("household__building").distinct().count() == 1
    assert all(s.lpg_cylinders >= 1 for s in lpg)

    hazards = list(Hazard.objects.select_related("case"))
    states = {h.state for h in hazards}
    assert states >= {
        HazardState.OPEN,
        HazardState.RECTIFIED,
        HazardState.OVERDUE,
        HazardState.CLOSED,
    }, states
    assert any(h.recheck_passed is False and not h.is_closed for h in hazards)
    assert any(h.case.level == Level.COMMUNITY for h in hazards)
    brigade_or_gas = [h for h in hazards if handovers_of(h.case).exists()]
    assert brigade_or_gas

    brigade = PartnerOrganisation.objects.get(code="fire_brigade")
    drill = SafetyTalk.objects.get(partner=brigade)
    assert drill.attendees.exists()
    assert brigade.members.filter(username="xiaofang").exists()

    counts = Hazard.objects.aggregate(n=Count("pk"))
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert Hazard.objects.aggregate(n=Count("pk")) == counts
    assert Campaign.objects.filter(title=TITLE).count() == 1

    # The demo's pages render: the portal page, the hazards and the figures.
    assert client.get("/services/safety/").status_code == 200
    client.force_login(brigade.members.get())
    response = client.get("/api/safety/hazards/")
    assert response.status_code == 200
    assert response.json()["count"] == sum(
        1 for h in hazards if handovers_of(h.case).filter(organisation=brigade).exists()
    )
