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
Wagtail page types     PluginConfig.page_types    "app_label.Model" (placement: the page
                                                  model's own parent_page_types)
service forms          services.service_forms     ServiceForm
dashboard panels       panels.dashboard_panels    DashboardPanel subclasses
household panels       panels.household_panels    anju.community.panels.HouseholdPanel
                                                  subclasses
Celery tasks           tasks.py                   @shared_task(name="<label>.<verb_noun>")
beat schedules         PluginConfig.beat_schedule {name: {"task": ..., "schedule": ...}}
notice categories      notices.notice_categories  NoticeCategory
notification templates notices.notification_templates  NotificationTemplate
permissions, grants    PluginConfig.role_permissions    {role code: ("app.codename", ...)}
demo data              demo.load_demo             callable(rng, out, ctx)
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


# --- the registry --------------------------------------------------------------------


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
    page_types: list[Contribution] = field(default_factory=list)  # item: model class
    service_forms: list[Contribution] = field(default_factory=list)
    dashboard_panels: list[Contribution] = field(default_factory=list)
    household_panels: list[Contribution] = field(default_factory=list)
    notice_categories: list[Contribution] = field(default_factory=list)
    notification_templates: list[Contribution] = field(default_factory=list)
    demo_loaders: list[Contribution] = field(default_factory=list)
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
    ("services", "service_forms", register_service_form, True),
    ("panels", "dashboard_panels", register_dashboard_panel, True),
    ("panels", "household_panels", register_household_panel, True),
    ("notices", "notice_categories", register_notice_category, True),
    ("notices", "notification_templates", register_notification_template, True),
    ("demo", "load_demo", register_demo, False),
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
