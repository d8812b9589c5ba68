"""Target rules and due-item sources, as the campaigns engine knows them.

This layer sits below the plugin layer and never imports it. The plugin layer hands each
plugin's ``TargetRule`` and due-item source down here when it loads the plugin
(``anju.plugins.registry.register_target_rule`` / ``register_due_items``); which plugins
are active in a community is asked through the plugin gate (``anju.core.plugingate``).

A rule is any object with ``code``, ``label`` and ``households(community)`` returning a
Household queryset or a ``Q`` over households. A source is any object with ``code`` and
``items(households, user)`` returning ``{household_id: [item, ...]}`` where an item has
``label`` and ``url``; it must answer for any number of households in a constant number
of queries.
"""

from __future__ import annotations

from typing import Any

from anju.core import plugingate

_rules: dict[str, tuple[str, Any]] = {}  # rule code -> (plugin label, rule)
_sources: list[tuple[str, Any]] = []  # (plugin label, source)


def register_rule(plugin: str, rule) -> None:
    _rules[rule.code] = (plugin, rule)


def unregister_rule(code: str) -> None:
    _rules.pop(code, None)


def register_due_source(plugin: str, source) -> None:
    if all(existing is not source for _label, existing in _sources):
        _sources.append((plugin, source))


def unregister_due_source(source) -> None:
    _sources[:] = [(label, s) for label, s in _sources if s is not source]


def is_active(community, plugin: str) -> bool:
    """Whether ``plugin``'s contributions count in ``community`` (the core's own, with no
    plugin label, always do)."""
    return not plugin or plugingate.is_active(community, plugin)


def rules_for(community) -> dict[str, Any]:
    """{code: rule} of the plugins active in ``community``."""
    return {code: rule for code, (label, rule) in _rules.items() if is_active(community, label)}


def rule(code: str, community):
    """The active rule with ``code``, or None (unknown, or its plugin is disabled)."""
    return rules_for(community).get(code)


def sources_for(community) -> list[Any]:
    return [source for label, source in _sources if is_active(community, label)]
