"""The grid worker's due list: households in walking order with what each owes across
every running campaign and the plugins' due items, in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anju.campaigns import rounds
from anju.campaigns.duelist import due_list
from anju.campaigns.models import Outcome, Target
from tests import factories as f
from tests.dummy_plugin.models import Thing

from .conftest import answer_fields, make_campaign

pytestmark = pytest.mark.django_db


def add_households(world, n, start=0):
    made = []
    for i in range(start, start + n):
        floor, unit = 2 + i // 4, f"{1 + i % 2}单元"
        household = f.HouseholdFactory(
            building=world.building1, unit=unit, room=f"{floor}0{1 + i % 4}"
        )
        f.ResidentFactory(household=household)
        made.append(household)
    return made


@pytest.fixture
def two_campaigns(world, checklist):
    gas = rounds.start_round(make_campaign(world, title="燃气安全入户检查", checklist=checklist))
    insurance = rounds.start_round(make_campaign(world, title="医保缴费宣传", kind="publicity"))
    return gas, insurance


def test_one_visit_settles_several_campaigns_in_walking_order(
    world, client, two_campaigns, checklist
):
    upstairs = add_households(world, 3)
    for round_ in two_campaigns:
        rounds.refresh_round(round_)
    Thing.objects.create(name=f"household-{upstairs[0].pk}", phone="燃气表")
    client.force_login(world.users["grid_worker"])
    response = client.get(reverse("anju_campaigns:due"))
    assert response.status_code == 200
    households = response.context["households"]
    addresses = [h.address for h in households]
    # Grid 1 only, by building, unit, floor, room.
    assert addresses == ["1号楼1单元101", "1号楼1单元201", "1号楼1单元203", "1号楼2单元202"]
    first = households[0]
    assert [e.label for e in first.entries] == ["燃气安全入户检查", "医保缴费宣传"]
    plugin = [e for e in households[1].entries if e.kind == "dummy_plugin.things"]
    assert plugin and plugin[0].label == "Collect the thing" and plugin[0].note == "燃气表"
    html = response.content.decode()
    assert "2号楼" not in html  # another grid's household never shows
    # Answering both campaigns for 101 takes it off the list.
    gas, insurance = two_campaigns
    for round_ in two_campaigns:
        target = Target.objects.get(round=round_, household=world.household1)
        data = answer_fields(checklist, outcome="done") if round_ == gas else {"a-outcome": "done"}
        assert (
            client.post(reverse("anju_campaigns:answer", args=[target.pk]), data).status_code == 302
        )
    addresses = [h.address for h in due_list(world.users["grid_worker"])]
    assert "1号楼1单元101" not in addresses


def test_not_at_home_stays_due_and_refused_does_not(world, two_campaigns):
    gas, insurance = two_campaigns
    Target.objects.filter(round=gas, household=world.household1).update(outcome=Outcome.NOT_HOME)
    Target.objects.filter(round=insurance, household=world.household1).update(
        outcome=Outcome.REFUSED
    )
    [household] = due_list(world.users["grid_worker"])
    assert [e.label for e in household.entries] == ["燃气安全入户检查"]


def test_a_disabled_plugin_adds_no_due_items(world, two_campaigns):
    from anju.plugins.activation import disable

    Thing.objects.create(name=f"household-{world.household1.pk}")
    assert any(
        e.kind == "dummy_plugin.things" for e in due_list(world.users["grid_worker"])[0].entries
    )
    disable(world.community, "dummy_plugin")
    assert not any(
        e.kind == "dummy_plugin.things" for e in due_list(world.users["grid_worker"])[0].entries
    )


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_due_list_costs_the_same_queries_at_any_size(world, client, two_campaigns):
    client.force_login(world.users["grid_worker"])
    add_households(world, 3)
    for round_ in two_campaigns:
        rounds.refresh_round(round_)
    client.get(reverse("anju_campaigns:due"))  # warm: session, activation cache
    client.get("/api/campaigns/due/")
    small_page = count_queries(client, reverse("anju_campaigns:due"))
    small_api = count_queries(client, "/api/campaigns/due/")
    more = add_households(world, 30, start=3)
    for household in more[:10]:
        Thing.objects.create(name=f"household-{household.pk}")
    for round_ in two_campaigns:
        rounds.refresh_round(round_)
    assert count_queries(client, reverse("anju_campaigns:due")) == small_page
    assert count_queries(client, "/api/campaigns/due/") == small_api
    data = client.get("/api/campaigns/due/").json()
    assert len(data) == 34 and data[0]["address"] == "1号楼1单元101"
