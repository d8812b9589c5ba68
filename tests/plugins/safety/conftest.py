"""Fixtures for the safety plugin: the seasonal check campaign with its round, and a
way to answer a target through the campaigns API (as a grid worker does on the phone).

The plugin acts on answers through ``target_answered`` and on cases through
``case_changed``, both run after the sender's transaction commits: tests that need
them wrap the request in ``django_capture_on_commit_callbacks(execute=True)``.
"""

import datetime

import pytest
from django.utils import timezone

from anju.campaigns import Campaign, Target
from anju.campaigns.rounds import start_round
from anju.permissions import PartnerOrganisation
from plugins.safety import handling
from plugins.safety.models import Item

ALL_PASS = {item: "pass" for item in Item.values if item != Item.OTHER}


@pytest.fixture
def checklist(world):
    return handling.checklist_service()


@pytest.fixture
def fire_brigade(world):
    return PartnerOrganisation.objects.create(
        community=world.community, code="fire_brigade", name="县消防救援大队", phone="119"
    )


@pytest.fixture
def campaign(world, checklist):
    return Campaign.objects.create(
        community=world.community,
        title="冬季入户安全检查",
        kind="safety",
        checklist=checklist,
        recurrence="season",
        starts_on=timezone.localdate(),
        round_days=30,
    )


@pytest.fixture
def round_(campaign):
    return start_round(campaign, starts_on=timezone.localdate())


@pytest.fixture
def target1(world, round_):
    return Target.objects.get(round=round_, household=world.household1)


@pytest.fixture
def target2(world, round_):
    return Target.objects.get(round=round_, household=world.household2)


def answer(client, target, *, outcome="done", **items):
    """POST a checklist answer for ``target`` (every item passes unless given)."""
    answers = {**ALL_PASS, **items} if outcome == "done" else {}
    body = {"outcome": outcome, "answers": answers, "record_visit": False}
    return client.post(
        f"/api/campaigns/targets/{target.pk}/answer/", body, content_type="application/json"
    )


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)
