"""The campaigns' two extension points: a plugin's target rule (offered in the campaign
builder, evaluated per community) and its due items (on the grid worker's due list and
the household page), counted only where the plugin is active; the wrong kind of object
is refused with a TypeError naming the plugin."""

import pytest
from django.urls import reverse

from anju.campaigns import registry as campaigns_registry
from anju.campaigns import rounds
from anju.campaigns.duelist import due_list
from anju.campaigns.models import Campaign
from anju.campaigns.rules import RuleError
from anju.plugins import DueItem, DueItems, TargetRule, activation
from anju.plugins.registry import contributions, register_due_items, register_target_rule
from tests.dummy_plugin.apps import DummyPluginConfig
from tests.dummy_plugin.models import Thing

pytestmark = pytest.mark.django_db


def test_the_dummy_plugin_declares_both_and_the_contract_records_them():
    rules = [c.item for c in contributions("target_rules") if c.plugin == "dummy_plugin"]
    sources = [c.item for c in contributions("due_items") if c.plugin == "dummy_plugin"]
    assert [r.code for r in rules] == ["dummy_plugin.rooms_01"]
    assert [s.code for s in sources] == ["dummy_plugin.things"]
    assert isinstance(rules[0], TargetRule) and isinstance(sources[0], DueItems)


def test_the_wrong_kind_is_refused():
    with pytest.raises(TypeError, match="dummy_plugin"):
        register_target_rule(DummyPluginConfig, {"code": "x"})
    with pytest.raises(TypeError, match="dummy_plugin"):
        register_due_items(DummyPluginConfig, DueItem(label="not a source"))


def test_contributions_count_only_where_the_plugin_is_active(world):
    assert "dummy_plugin.rooms_01" in campaigns_registry.rules_for(world.community)
    activation.disable(world.community, "dummy_plugin")
    assert "dummy_plugin.rooms_01" not in campaigns_registry.rules_for(world.community)
    codes = [source.code for source in campaigns_registry.sources_for(world.community)]
    assert not [code for code in codes if code.startswith("dummy_plugin.")]
    active = activation.active_plugins(world.community)
    assert not [c for c in contributions("target_rules", active) if c.plugin == "dummy_plugin"]


def test_a_campaign_targets_by_the_plugins_rule(world):
    campaign = Campaign.objects.create(
        community=world.community, title="一楼住户", plugin_rule="dummy_plugin.rooms_01"
    )
    round_ = rounds.start_round(campaign)
    assert {t.household_id for t in round_.targets.all()} == {
        world.household1.pk,
        world.household2.pk,
    }
    activation.disable(world.community, "dummy_plugin")
    with pytest.raises(RuleError):
        rounds.start_round(campaign, starts_on=round_.starts_on.replace(year=2030))


def test_due_items_on_the_due_list_and_the_household_page(world, client):
    thing = Thing.objects.create(name=f"household-{world.household1.pk}", phone="1")
    [household] = due_list(world.users["grid_worker"])
    [entry] = household.entries
    assert (entry.label, entry.url, entry.kind) == (
        "Collect the thing",
        f"/services/dummy/things/{thing.pk}/",
        "dummy_plugin.things",
    )
    client.force_login(world.users["grid_worker"])
    html = client.get(reverse("community_household:inspect", args=[world.household1.pk]))
    assert "Collect the thing" in html.content.decode()


def test_the_public_api_exports_the_new_kinds():
    import anju.plugins

    assert {"TargetRule", "DueItems", "DueItem"} <= set(anju.plugins.__all__)
