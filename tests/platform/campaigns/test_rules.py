"""Target rules composed in the admin, without code: groups, age from the ID number,
buildings, grids, household flags and a plugin's rule. A rule matching nobody is refused
by the builder's form before any round starts."""

import datetime

import pytest
from django.urls import reverse

from anju.campaigns import registry, rules
from anju.campaigns.admin.views import campaign_viewset
from anju.campaigns.models import Campaign
from anju.community.idnumbers import make_id_number
from anju.community.models import SpecialGroup
from tests import factories as f

from .conftest import make_campaign

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 1)


@pytest.fixture
def people(world):
    """Grid 1: an elderly woman of 72 living alone (低保) in 1号楼101, a family of three
    in 1号楼302 (parents of 45, a child of 8). Grid 2: world's resident (born 1960)."""
    low_income, _ = SpecialGroup.objects.get_or_create(
        code=SpecialGroup.LOW_INCOME, defaults={"name": "低保", "built_in": True}
    )
    world.resident1.birth_date = datetime.date(1953, 6, 1)
    world.resident1.id_number = make_id_number("411421", datetime.date(1953, 6, 1), 7)
    world.resident1.save()
    world.resident1.groups.add(low_income)
    family = f.HouseholdFactory(building=world.building1, unit="1单元", room="302")
    f.ResidentFactory(household=family, birth_date=datetime.date(1981, 1, 1))
    f.ResidentFactory(household=family, birth_date=datetime.date(1980, 1, 1))
    f.ResidentFactory(household=family, birth_date=datetime.date(2018, 1, 1), relation="child")
    world.family = family
    world.low_income = low_income
    return world


def households(world, **rule):
    return set(rules.matching(rules.Rule(community=world.community, **rule), TODAY))


def test_age_from_birth_date(people):
    w = people
    assert households(w, min_age=60) == {w.household1, w.household2}
    assert households(w, min_age=70) == {w.household1}
    assert households(w, max_age=10) == {w.family}


def test_resident_targets_are_residents(people):
    w = people
    found = set(
        rules.matching(rules.Rule(community=w.community, target_kind="resident", min_age=60), TODAY)
    )
    assert found == {w.resident1, w.resident2}


def test_groups_grids_buildings_and_flags_combine(people):
    w = people
    assert households(w, groups=[w.low_income]) == {w.household1}
    assert households(w, grids=[w.grid2]) == {w.household2}
    assert households(w, buildings=[w.building1]) == {w.household1, w.family}
    assert households(w, household_flag="single") == {w.household1, w.household2}
    assert households(w, household_flag="with_child") == {w.family}
    assert households(w, household_flag="all_elderly") == {w.household1, w.household2}
    assert households(w, household_flag="single", grids=[w.grid1]) == {w.household1}
    assert households(w, min_age=70, grids=[w.grid2]) == set()


def test_a_plugin_rule_narrows_and_a_disabled_plugin_rule_is_refused(people):
    w = people
    # The dummy plugin's rule: rooms ending in 01.
    assert households(w, plugin_rule="dummy_plugin.rooms_01") == {w.household1, w.household2}
    from anju.plugins.activation import disable

    disable(w.community, "dummy_plugin")
    with pytest.raises(rules.RuleError):
        households(w, plugin_rule="dummy_plugin.rooms_01")


def test_a_core_registered_rule_may_return_a_queryset(people):
    w = people

    class Rule:
        code = "test.family"
        label = "family"

        def households(self, community):
            from anju.community.models import Household

            return Household.objects.filter(room="302")

    registry.register_rule("", Rule())
    try:
        assert households(w, plugin_rule="test.family") == {w.family}
    finally:
        registry.unregister_rule("test.family")


def builder_data(world, **overrides):
    data = {
        "title": "高龄津贴核查",
        "description": "",
        "kind": "review",
        "community": world.community.pk,
        "recurrence": "none",
        "starts_on": "2026-03-01",
        "round_days": "30",
        "target_kind": "household",
        "min_age": "",
        "max_age": "",
        "household_flag": "",
        "plugin_rule": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_the_builder_refuses_a_rule_matching_nobody(people, client):
    client.force_login(people.users["committee"])
    url = reverse(campaign_viewset.get_url_name("add"))
    response = client.post(url, builder_data(people, min_age="110"))
    assert response.status_code == 200  # the form again, with the error
    assert "matches nobody" in response.content.decode() or "没有匹配" in response.content.decode()
    assert not Campaign.objects.exists()
    response = client.post(url, builder_data(people, min_age="70"))
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.min_age == 70


def test_the_builder_offers_the_plugin_rules_and_checks_ages(people, client):
    client.force_login(people.users["committee"])
    url = reverse(campaign_viewset.get_url_name("add"))
    page = client.get(url).content.decode()
    assert "dummy_plugin.rooms_01" in page
    response = client.post(url, builder_data(people, min_age="80", max_age="60"))
    assert response.status_code == 200 and not Campaign.objects.exists()


def test_grid_workers_cannot_build_campaigns(people, client):
    client.force_login(people.users["grid_worker"])
    url = reverse(campaign_viewset.get_url_name("add"))
    response = client.post(url, builder_data(people, min_age="70"))
    assert response.status_code in (302, 403)
    assert not Campaign.objects.exists()


def test_make_campaign_helper_has_no_rule(world):
    assert rules.count(rules.Rule.of(make_campaign(world))) == 2
