"""Code-defined service forms, as the services engine knows them.

The engine sits below the plugin layer and never imports it: the plugin layer hands
each plugin's ``ServiceForm`` down here when it loads the plugin
(``anju.plugins.registry.register_service_form``), together with the one question the
engine cannot answer itself — whether a plugin is active for a request
(``set_activation_check``, from ``anju.plugins`` at start-up).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_forms: dict[tuple[str, str], Any] = {}  # (plugin label, form slug) -> ServiceForm
_is_active: Callable[[Any, str], bool] | None = None


def register(plugin: str, spec) -> None:
    _forms[(plugin, spec.slug)] = spec


def set_activation_check(check: Callable[[Any, str], bool]) -> None:
    global _is_active
    _is_active = check


def is_active(request, plugin: str) -> bool:
    return True if _is_active is None else _is_active(request, plugin)


def registered() -> dict[tuple[str, str], Any]:
    """{(plugin, form slug): ServiceForm} of every installed plugin, active or not (a
    case filed while a plugin was active is still read after it is turned off)."""
    return dict(_forms)


def active_forms(request) -> dict[tuple[str, str], Any]:
    """{(plugin, form slug): ServiceForm} of the plugins active for ``request``."""
    return {key: spec for key, spec in _forms.items() if is_active(request, key[0])}
