"""Code-defined service forms, as the services engine knows them.

The engine sits below the plugin layer and never imports it: the plugin layer hands
each plugin's ``ServiceForm`` down here when it loads the plugin
(``anju.plugins.registry.register_service_form``); whether a plugin is active for a
request is asked through the plugin gate (``anju.core.plugingate``).
"""

from __future__ import annotations

from typing import Any

from anju.core import plugingate

_forms: dict[tuple[str, str], Any] = {}  # (plugin label, form slug) -> ServiceForm


def register(plugin: str, spec) -> None:
    _forms[(plugin, spec.slug)] = spec


def registered() -> dict[tuple[str, str], Any]:
    """{(plugin, form slug): ServiceForm} of every installed plugin, active or not (a
    case filed while a plugin was active is still read after it is turned off)."""
    return dict(_forms)


def active_forms(request) -> dict[tuple[str, str], Any]:
    """{(plugin, form slug): ServiceForm} of the plugins active for ``request``."""
    active = plugingate.active(request)
    return {key: spec for key, spec in _forms.items() if key[0] in active}
