"""The plugin contract: what a service-area plugin is and what it may contribute.

The public surface is ``__all__`` below; everything else in this package is internal and
may change. See docs/plugins.md for a 15-minute walk-through and the full reference.

This module is imported at settings time (by a plugin's apps.py), so it defers every
import that needs Django's app registry until first use.
"""

from .config import PluginConfig
from .registry import (
    DashboardTile,
    DueItem,
    DueItems,
    MenuItem,
    NoticeCategory,
    NotificationTemplate,
    PortalLink,
    ResidentItem,
    ResidentItems,
    ServiceCard,
    ServiceForm,
    TargetRule,
    TileFigure,
    TokenScope,
)

__all__ = [
    "PluginConfig",
    "MenuItem",
    "PortalLink",
    "ServiceCard",
    "ServiceForm",
    "NoticeCategory",
    "NotificationTemplate",
    "TargetRule",
    "DueItems",
    "DueItem",
    "DashboardPanel",
    "DashboardTile",
    "TileFigure",
    "TokenScope",
    "ResidentItem",
    "ResidentItems",
    "HouseholdPanel",
    "Scope",
    "declare_scope",
    "is_active",
    "current_community",
]


def __getattr__(name):
    # Lazily: these import Wagtail and models, which need the app registry.
    if name == "DashboardPanel":
        from .panels import DashboardPanel

        return DashboardPanel
    if name == "HouseholdPanel":
        from anju.community.panels import HouseholdPanel

        return HouseholdPanel
    if name in {"Scope", "declare_scope"}:
        from anju.permissions import urlscope

        return getattr(urlscope, name)
    if name in {"is_active", "current_community"}:
        from . import activation

        return getattr(activation, name)
    raise AttributeError(name)
