"""The plugin contract, over every installed plugin: no per-plugin test code."""

import pytest

from anju.plugins.testing import CHECKS, ContractEnv, plugin_configs

PLUGINS = sorted(plugin_configs())


def test_there_are_plugins_to_check():
    assert PLUGINS


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
@pytest.mark.parametrize("label", PLUGINS)
def test_plugin_keeps_the_contract(label, check, world, client):
    env = ContractEnv(client=client, users=world.users, community=world.community)
    check(plugin_configs()[label], env)
