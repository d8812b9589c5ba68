"""The plugin gate: the one question the layers below the plugin platform may ask it.

``anju.plugins`` (layer 7) knows which plugins are installed and which are active in
which community. The layers below it — the services engine's code forms, the household
page's panels, campaigns' target rules and due items, signals sent by the engine — must
not import it, yet must offer a plugin's contributions only where it is active. So the
plugin platform installs itself here when it starts (``install``), and everything below
asks through this module. Until it is installed every question fails loudly
(``ImproperlyConfigured``): a gate that is missing never lets everything through.

The answers come from ``anju.plugins.activation.active_plugins``: one cached set per
community, so asking is cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Gate:
    #: community (a Community, its primary key, or None) -> labels of the active plugins
    active_labels: Callable[[Any], frozenset[str]]
    #: request -> the request's community (or None)
    community_of: Callable[[Any], Any]
    #: {python package of a plugin ("plugins.disputes"): its label ("disputes")}
    packages: Callable[[], dict[str, str]]


_gate: Gate | None = None


def install(gate: Gate) -> None:
    global _gate
    _gate = gate


def _installed() -> Gate:
    if _gate is None:
        raise ImproperlyConfigured(
            "The plugin gate is not installed: add 'anju.plugins' to INSTALLED_APPS."
        )
    return _gate


def _community(where):
    """``where`` is a request, a community, a community's primary key, or None."""
    if where is None or isinstance(where, int):
        return where
    if hasattr(where, "META"):  # a request
        return _installed().community_of(where)
    return where


def active(where) -> frozenset[str]:
    """Labels of the plugins active for ``where`` (a request or a community)."""
    return _installed().active_labels(_community(where))


def is_active(where, label: str) -> bool:
    return label in active(where)


def plugin_of(obj) -> str | None:
    """The label of the plugin whose package defines ``obj`` (a function, class or a
    dotted module name), or None for the core and everything else."""
    module = obj if isinstance(obj, str) else getattr(obj, "__module__", "") or ""
    for package, label in _installed().packages().items():
        if module == package or module.startswith(package + "."):
            return label
    return None


def allows(where, obj) -> bool:
    """Whether ``obj`` may act for ``where``: core code always, a plugin's code only
    where that plugin is active."""
    label = plugin_of(obj)
    return label is None or is_active(where, label)
