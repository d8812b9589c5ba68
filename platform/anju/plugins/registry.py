"""The closed list of extension points, and the one typed function that registers each.

A plugin contributes by convention: when its app is ready, ``load_plugin`` imports the
modules named below from the plugin package (those that exist) and passes each declared
item to its register function, which refuses an object of the wrong kind with a
TypeError naming the plugin. Adding an extension point means adding it here (and to
docs/plugins.md) — nowhere else.

=====================  =========================  ========================================
extension point        declared in the plugin as  kind
=====================  =========================  ========================================
admin views + menu     admin.viewsets             Wagtail ViewSet / ViewSetGroup instances
admin menu items       navigation.menu_items      MenuItem
portal navigation      navigation.portal_links    PortalLink
service directory      navigation.service_cards   ServiceCard
portal pages           urls.urlpatterns           URL patterns, mounted at /services/<slug>/
  their permissions    urls.permissions           {url name: "app_label.codename"}
API                    api.router                 a DRF router, mounted at /api/<slug>/
integration key scopes api.token_scopes           TokenScope (opens part of /api/<slug>/
                                                  to other systems' keys)
Wagtail page types     PluginConfig.page_types    "app_label.Model" (placement: the page
                                                  model's own parent_page_types)
service forms          services.service_forms     ServiceForm
dashboard panels       panels.dashboard_panels    DashboardPanel subclasses
dashboard tiles        panels.dashboard_tiles     DashboardTile (figures per grid on the
                                                  committee's and grid workers' home and
                                                  in the monthly report)
household panels       panels.household_panels    anju.community.panels.HouseholdPanel
                                                  subclasses
what a household is    panels.resident_items      ResidentItems (shown to the household's
  entitled to                                      own residents on "my household")
Celery tasks           tasks.py                   @shared_task(name="<label>.<verb_noun>")
beat schedules         PluginConfig.beat_schedule {name: {"task": ..., "schedule": ...}}
notice categories      notices.notice_categories  NoticeCategory
notification templates notices.notification_templates  NotificationTemplate
permissions, grants    PluginConfig.role_permissions    {role code: ("app.codename", ...)}
demo data              demo.load_demo             callable(rng, out, ctx)
campaign target rules  campaigns.target_rules     TargetRule
due items              campaigns.due_items        DueItems
=====================  =========================  ========================================

Everything a plugin contributes is recorded with the plugin's label, and every getter
here takes the request (or community) so that a plugin disabled for a community
contributes nothing there (anju.plugins.activation).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("anju.plugins")


# --- the kinds of things a plugin declares -------------------------------------------


@dataclass(frozen=True)
class MenuItem:
    """An entry in the Wagtail admin menu."""

    label: Any
    url_name: str  # a URL name, reversed without arguments
    icon: str = "cogs"
    order: int = 5000
    permission: str | None = None  # "app_label.codename" needed to see it


@dataclass(frozen=True)
class PortalLink:
    """A link in the resident portal's navigation."""

    label: Any
    url_name: str
    order: int = 100


@dataclass(frozen=True)
class ServiceCard:
    """A card in the home page's service directory (便民服务)."""

    title: Any
    description: Any
    url_name: str
    icon: str = "cogs"
    order: int = 100


@dataclass(frozen=True)
class ServiceForm:
    """A form residents (or staff on their behalf) submit. The core serves it at
    /services/<slug>/forms/<form slug>/ and files every valid submission as a case of
    the services engine (anju.services): reference number, assignee, SLA, timeline.

    ``form_class`` is a Django form with the request's own fields (the engine adds the
    requester's name and phone). ``on_submit(case, form)``, if given, runs in the same
    transaction once the case exists: save the plugin's own records there, linked to the
    case. ``handler_role`` ("grid_worker", "committee" or "service_staff") and the SLA
    hours are defaults staff may change in the admin.
    """

    slug: str
    title: Any
    form_class: type
    on_submit: Callable[[Any, Any], None] | None = None
    description: Any = ""
    allow_anonymous: bool = True
    handler_role: str = "grid_worker"
    accept_hours: int = 24
    resolve_hours: int = 72


@dataclass(frozen=True)
class NoticeCategory:
    code: str
    label: Any


@dataclass(frozen=True)
class NotificationTemplate:
    code: str  # "<label>.<what>"
    subject: Any
    body: Any  # str.format() template over the message payload


@dataclass(frozen=True)
class TargetRule:
    """Whom a campaign (anju.campaigns) may target, offered to staff in the campaign
    builder: ``households(community)`` returns a Household queryset or a ``Q`` over
    households (safety: "households still using LPG")."""

    code: str  # unique across plugins: "<label>.<what>"
    label: Any
    households: Callable[[Any], Any]


@dataclass(frozen=True)
class DueItem:
    """One thing a household owes, on the grid worker's due list and household page."""

    label: Any
    url: str = ""
    note: Any = ""


@dataclass(frozen=True)
class DueItems:
    """A source of due items: ``items(household_ids, user)`` returns
    ``{household_id: [DueItem, ...]}`` in a constant number of queries."""

    code: str
    label: Any
    items: Callable[[list, Any], dict]


@dataclass(frozen=True)
class ResidentItem:
    """Something a household is entitled to or due for, shown to its own residents on
    the portal's "my household": a title, a detail, a due date and a link."""

    title: Any
    detail: Any = ""
    due: Any = None  # a date, or None
    url: str = ""


@dataclass(frozen=True)
class ResidentItems:
    """A source of what a household may read about itself: ``items(household, request)``
    returns ``[ResidentItem, ...]`` in a constant number of queries. Only the household's
    own residents (and relatives acting for them) see it; a source that raises is
    logged and skipped."""

    code: str
    items: Callable[[Any, Any], list]


@dataclass(frozen=True)
class TileFigure:
    """One figure of a dashboard tile: a count (``key`` names a count the tile's
    ``counts`` function returns) or, with ``rate=(numerator key, denominator key)``, the
    share of two of its counts, shown as a percentage (None when the denominator is 0)."""

    key: str
    label: Any
    rate: tuple[str, str] | None = None

    def value(self, counts: dict) -> int | float | None:
        if self.rate is None:
            return counts.get(self.key, 0)
        numerator, denominator = (counts.get(key, 0) for key in self.rate)
        return round(numerator / denominator, 4) if denominator else None


@dataclass(frozen=True)
class DashboardTile:
    """A tile of the dashboard (the admin home of the committee and grid workers) and
    of the township's monthly report: a few figures per grid and for the community.

    ``counts(user, grids, start, end)`` answers ``{grid id or None: {key: int}}`` in ONE
    query whatever the number of grids or records (a grouped ``values(...).annotate``):
    the counts of the records ``user`` may see (narrow them yourself, as your lists do),
    for the month ``start``..``end`` (local dates, inclusive). ``grids`` is the Grid
    queryset the board shows (the user's grids in the request's community), usable as a
    subquery. Key None holds what lies in no grid; it counts in the total only. The
    platform adds the counts up for the total and works out ``rate`` figures, so a rate
    is exact for the whole community too. ``permission`` ("app.codename") is needed to
    see the tile; ``figures`` are shown in their order, and the first rate figure is the
    one the "grids side by side" chart draws."""

    code: str  # unique: "<label>.<what>"
    label: Any
    figures: tuple[TileFigure, ...]
    counts: Callable[[Any, Any, Any, Any], dict]
    permission: str | None = None
    order: int = 500
    url_name: str = ""  # where the tile's records are listed (reversed without arguments)


# --- the registry --------------------------------------------------------------------


@dataclass(frozen=True)
class TokenScope:
    """A scope an administrator may give another system's integration key: it opens
    ``path`` of the plugin's API (below /api/<slug>/; "" is all of it) for ``methods``.
    ``code`` starts with the plugin's label and a colon ("elderly:menus"). A key acts as
    its user, so the user's role and grid scope still apply; with ``permission``, the
    admin refuses to give the scope to a user whose role lacks it."""

    code: str
    label: Any
    path: str = ""
    methods: frozenset = frozenset({"GET", "HEAD", "OPTIONS"})
    permission: str | None = None


@dataclass
class Contribution:
    plugin: str  # the plugin's app label
    item: Any


@dataclass
class Registry:
    """One store per extension point; nothing else."""

    admin_viewsets: list[Contribution] = field(default_factory=list)
    menu_items: list[Contribution] = field(default_factory=list)
    portal_links: list[Contribution] = field(default_factory=list)
    service_cards: list[Contribution] = field(default_factory=list)
    portal_urls: list[Contribution] = field(default_factory=list)  # item: (patterns, perms)
    api_routers: list[Contribution] = field(default_factory=list)
    token_scopes: list[Contribution] = field(default_factory=list)
    page_types: list[Contribution] = field(default_factory=list)  # item: model class
    service_forms: list[Contribution] = field(default_factory=list)
    dashboard_panels: list[Contribution] = field(default_factory=list)
    dashboard_tiles: list[Contribution] = field(default_factory=list)
    resident_items: list[Contribution] = field(default_factory=list)
    household_panels: list[Contribution] = field(default_factory=list)
    notice_categories: list[Contribution] = field(default_factory=list)
    notification_templates: list[Contribution] = field(default_factory=list)
    demo_loaders: list[Contribution] = field(default_factory=list)
    target_rules: list[Contribution] = field(default_factory=list)
    due_items: list[Contribution] = field(default_factory=list)
    plugins: dict[str, Any] = field(default_factory=dict)  # label -> PluginConfig


registry = Registry()


def _check(plugin, item, kind, point: str):
    if isinstance(kind, type) and isinstance(item, type):
        ok = issubclass(item, kind)
    else:
        ok = isinstance(item, kind)
    if not ok:
        expected = getattr(kind, "__name__", str(kind))
        raise TypeError(
            f"Plugin {plugin.label!r} declared {item!r} as a {point}; expected {expected}."
        )


def _add(store: list[Contribution], plugin, item) -> None:
    store.append(Contribution(plugin.label, item))


def register_admin_viewset(plugin, viewset) -> None:
    from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

    _check(plugin, viewset, (ViewSet, ViewSetGroup), "admin viewset")
    _add(registry.admin_viewsets, plugin, viewset)


def register_menu_item(plugin, item: MenuItem) -> None:
    _check(plugin, item, MenuItem, "menu item")
    _add(registry.menu_items, plugin, item)


def register_portal_link(plugin, link: PortalLink) -> None:
    _check(plugin, link, PortalLink, "portal link")
    _add(registry.portal_links, plugin, link)


def register_service_card(plugin, card: ServiceCard) -> None:
    _check(plugin, card, ServiceCard, "service card")
    _add(registry.service_cards, plugin, card)


def register_portal_urls(plugin, urlpatterns, permissions: dict[str, str]) -> None:
    if not isinstance(urlpatterns, list | tuple):
        raise TypeError(f"Plugin {plugin.label!r}: urls.urlpatterns must be a list.")
    if not isinstance(permissions, dict):
        raise TypeError(f"Plugin {plugin.label!r}: urls.permissions must be a dict.")
    _add(registry.portal_urls, plugin, (list(urlpatterns), dict(permissions)))


def register_api_router(plugin, router) -> None:
    from rest_framework.routers import BaseRouter, DefaultRouter

    _check(plugin, router, BaseRouter, "API router")
    if isinstance(router, DefaultRouter):
        # A DefaultRouter adds an API root view that declares no grid scope, which the
        # platform refuses to grid workers; the platform's /api/ root links plugins.
        raise TypeError(
            f"Plugin {plugin.label!r}: api.router must be a rest_framework SimpleRouter, "
            f"not a {type(router).__name__}: /api/ already lists every plugin's API."
        )
    _add(registry.api_routers, plugin, router)


def register_token_scope(plugin, scope: TokenScope) -> None:
    _check(plugin, scope, TokenScope, "token scope")
    if not scope.code.startswith(f"{plugin.label}:") or scope.code == f"{plugin.label}:":
        raise TypeError(
            f"Plugin {plugin.label!r}: token scope code {scope.code!r} must start "
            f"with {plugin.label + ':'!r}."
        )
    if scope.path.startswith("/"):
        raise TypeError(
            f"Plugin {plugin.label!r}: token scope {scope.code!r} path must be relative "
            f"to the plugin's API (no leading slash)."
        )
    if not isinstance(scope.methods, frozenset) or not scope.methods:
        raise TypeError(
            f"Plugin {plugin.label!r}: token scope {scope.code!r} methods must be a "
            f"non-empty frozenset of HTTP methods."
        )
    _add(registry.token_scopes, plugin, scope)


def register_page_type(plugin, model) -> None:
    from wagtail.models import Page

    _check(plugin, model, Page, "page type")
    _add(registry.page_types, plugin, model)


def register_service_form(plugin, form: ServiceForm) -> None:
    _check(plugin, form, ServiceForm, "service form")
    _add(registry.service_forms, plugin, form)
    # The services engine (a lower layer) serves it; tell it the form exists.
    importlib.import_module("anju.services.codeforms").register(plugin.label, form)


def register_dashboard_panel(plugin, panel) -> None:
    from .panels import DashboardPanel

    _check(plugin, panel, DashboardPanel, "dashboard panel")
    _add(registry.dashboard_panels, plugin, panel)


def register_resident_items(plugin, source: ResidentItems) -> None:
    _check(plugin, source, ResidentItems, "resident items source")
    if not callable(source.items):
        raise TypeError(f"Plugin {plugin.label!r}: ResidentItems.items must be callable.")
    _add(registry.resident_items, plugin, source)


def register_dashboard_tile(plugin, tile: DashboardTile) -> None:
    _check(plugin, tile, DashboardTile, "dashboard tile")
    if not tile.code.startswith(f"{plugin.label}."):
        raise TypeError(
            f"Plugin {plugin.label!r}: dashboard tile code {tile.code!r} must start "
            f"with {plugin.label + '.'!r}."
        )
    for figure in tile.figures:
        _check(plugin, figure, TileFigure, "dashboard tile figure")
    _add(registry.dashboard_tiles, plugin, tile)


def register_household_panel(plugin, panel) -> None:
    from anju.community import panels

    _check(plugin, panel, panels.HouseholdPanel, "household panel")
    _add(registry.household_panels, plugin, panel)
    # The household page renders the community layer's registry; it asks the plugin gate
    # whether the panel's plugin is active there.
    panels.register_household_panel(panel)


def register_notice_category(plugin, category: NoticeCategory) -> None:
    from anju.notices import categories

    _check(plugin, category, NoticeCategory, "notice category")
    _add(registry.notice_categories, plugin, category)
    categories.register_category(category.code, category.label)


def register_notification_template(plugin, template: NotificationTemplate) -> None:
    _check(plugin, template, NotificationTemplate, "notification template")
    _add(registry.notification_templates, plugin, template)
    importlib.import_module("anju.notify.templating").register_declared(template)


def register_demo(plugin, loader) -> None:
    if not callable(loader):
        raise TypeError(f"Plugin {plugin.label!r}: demo.load_demo must be callable.")
    _add(registry.demo_loaders, plugin, loader)


def register_target_rule(plugin, rule: TargetRule) -> None:
    _check(plugin, rule, TargetRule, "target rule")
    _add(registry.target_rules, plugin, rule)
    # The campaigns engine (a lower layer) evaluates it; tell it the rule exists.
    importlib.import_module("anju.campaigns.registry").register_rule(plugin.label, rule)


def register_due_items(plugin, source: DueItems) -> None:
    _check(plugin, source, DueItems, "due items source")
    _add(registry.due_items, plugin, source)
    importlib.import_module("anju.campaigns.registry").register_due_source(plugin.label, source)


# --- loading a plugin's declarations ---------------------------------------------------


def _module(plugin, name: str):
    dotted = f"{plugin.name}.{name}"
    if importlib.util.find_spec(dotted) is None:
        return None
    return importlib.import_module(dotted)


# (module, variable, register function, many?)
CONVENTIONS: tuple[tuple[str, str, Callable, bool], ...] = (
    ("admin", "viewsets", register_admin_viewset, True),
    ("navigation", "menu_items", register_menu_item, True),
    ("navigation", "portal_links", register_portal_link, True),
    ("navigation", "service_cards", register_service_card, True),
    ("api", "router", register_api_router, False),
    ("api", "token_scopes", register_token_scope, True),
    ("services", "service_forms", register_service_form, True),
    ("panels", "dashboard_panels", register_dashboard_panel, True),
    ("panels", "dashboard_tiles", register_dashboard_tile, True),
    ("panels", "resident_items", register_resident_items, True),
    ("panels", "household_panels", register_household_panel, True),
    ("notices", "notice_categories", register_notice_category, True),
    ("notices", "notification_templates", register_notification_template, True),
    ("demo", "load_demo", register_demo, False),
    ("campaigns", "target_rules", register_target_rule, True),
    ("campaigns", "due_items", register_due_items, True),
)


def load_plugin(plugin) -> None:
    """Register everything ``plugin`` declares. Called from PluginConfig.ready()."""
    if plugin.label in registry.plugins:
        return
    registry.plugins[plugin.label] = plugin
    for module_name, variable, register, many in CONVENTIONS:
        module = _module(plugin, module_name)
        if module is None or not hasattr(module, variable):
            continue
        value = getattr(module, variable)
        for item in value if many else [value]:
            register(plugin, item)
    urls = _module(plugin, "urls")
    if urls is not None:
        register_portal_urls(
            plugin, getattr(urls, "urlpatterns", []), getattr(urls, "permissions", {})
        )
    from django.apps import apps

    for model_label in plugin.page_types:
        register_page_type(plugin, apps.get_model(model_label))
    if plugin.beat_schedule:
        from anju.celery import app as celery_app

        celery_app.conf.beat_schedule = {**celery_app.conf.beat_schedule, **plugin.beat_schedule}


def contributions(point: str, active: frozenset[str] | None = None) -> list[Contribution]:
    """The contributions to ``point``; only from plugins in ``active`` if given."""
    store: list[Contribution] = getattr(registry, point)
    if active is None:
        return list(store)
    return [c for c in store if c.plugin in active]


def installed_plugins() -> dict[str, Any]:
    """{label: PluginConfig} of every installed plugin."""
    return dict(registry.plugins)


def plugin_packages() -> dict[str, str]:
    """{Python package: label} of every installed plugin (for ``anju.core.plugingate``)."""
    return {config.name: label for label, config in registry.plugins.items()}


def portal_namespace(label: str) -> str:
    return label


def api_namespace(label: str) -> str:
    return f"{label}-api"


def url_namespaces() -> dict[str, str]:
    """{URL namespace: plugin label}: every URL a plugin contributes lives in one of its
    namespaces — its portal pages and forms (``<label>``), its API (``<label>-api``) and
    each of its admin viewsets (the viewset's ``url_namespace``). The plugin middleware
    reads a request's plugin from here; nothing is tagged or patched."""
    namespaces = {}
    for label in registry.plugins:
        namespaces[portal_namespace(label)] = label
        namespaces[api_namespace(label)] = label
    for contribution in registry.admin_viewsets:
        for viewset in _viewsets_in(contribution.item):
            namespaces[viewset.url_namespace] = contribution.plugin
    return namespaces


def _viewsets_in(viewset):
    children = getattr(viewset, "registerables", None)
    if children is None:
        yield viewset
    else:
        for child in children:
            yield from _viewsets_in(child)
