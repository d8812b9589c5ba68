"""Fixtures for campaigns: a checklist built with the services' form builder, a
hazard-report service an answer may open a case of, and a campaign with an open round
over the world's two households (grid 1's falls to the grid worker; grid 2 has none)."""

import pytest

from anju.campaigns import rounds
from anju.campaigns.models import Campaign, Target
from anju.services.models import Service, ServiceField


def built(world, title, slug, fields, **extra):
    service = Service.objects.create(
        title=title, slug=slug, community=world.community, is_active=False, **extra
    )
    for order, (label, kind, required, choices) in enumerate(fields):
        ServiceField.objects.create(
            service=service,
            sort_order=order,
            label=label,
            field_type=kind,
            required=required,
            choices=choices,
        )
    service.snapshot()
    return service


@pytest.fixture
def checklist(world):
    return built(
        world,
        "燃气安全检查表",
        "gas-checklist",
        [("燃气阀门", "choice", True, "正常\n异常"), ("说明", "text", False, "")],
    )


@pytest.fixture
def hazard_service(world):
    return built(world, "隐患上报", "hazard", [("隐患描述", "text", True, "")])


def make_campaign(world, **fields):
    defaults = {"community": world.community, "title": "燃气安全入户检查", "kind": "safety"}
    defaults.update(fields)
    return Campaign.objects.create(**defaults)


@pytest.fixture
def campaign(world, checklist, hazard_service):
    return make_campaign(world, checklist=checklist, case_service=hazard_service)


@pytest.fixture
def round_(campaign):
    return rounds.start_round(campaign)


@pytest.fixture
def target1(world, round_):
    return Target.objects.get(round=round_, household=world.household1)


@pytest.fixture
def target2(world, round_):
    return Target.objects.get(round=round_, household=world.household2)


def answer_fields(checklist, **values):
    """Posted admin form data: the outcome and the checklist's fields (prefix c)."""
    fields = checklist.current_version.fields
    data = {"a-record_visit": "on"}
    for key, value in values.items():
        data[f"a-{key}"] = value
    data.setdefault("c-" + fields[0]["name"], "正常")
    return data
