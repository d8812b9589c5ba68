"""Plugins' contributions to the Wagtail admin, applied with activation: menu items and
dashboard panels of a plugin disabled for the request's community do not show, and its
admin views answer 404 (anju.plugins.middleware). Every check asks the same active set
(``activation.active_for_request``)."""

import logging

from django.urls import Resolver404, path, resolve, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem as WagtailMenuItem
from wagtail.models import Page

from . import activation
from .panels import SafePanel
from .registry import contributions, url_namespaces
from .views import _may_manage, manage_plugins

logger = logging.getLogger("anju.plugins")


@hooks.register("register_admin_viewset")
def register_plugin_viewsets():
    return [c.item for c in contributions("admin_viewsets")]


def _plugin_of_url(url: str, namespaces: dict[str, str]) -> str | None:
    try:
        match = resolve(url)
    except Resolver404:
        return None
    for namespace in match.namespaces:
        if namespace in namespaces:
            return namespaces[namespace]
    return None


def _shown_for(item, active, namespaces) -> bool:
    """Whether a menu item (or a submenu: any of its items) leads somewhere active."""
    submenu = getattr(item, "menu", None)
    if submenu is not None:
        children = getattr(submenu, "registered_menu_items", None) or []
        return not children or any(_shown_for(child, active, namespaces) for child in children)
    label = _plugin_of_url(getattr(item, "url", "") or "", namespaces)
    return label is None or label in active


@hooks.register("construct_main_menu")
def plugin_menu_items(request, menu_items):
    """Drop menu items (viewsets' and groups') that lead into a disabled plugin, then
    add the declared MenuItems of active plugins the user may open. Built per request:
    the items depend on the request's community."""
    active = activation.active_for_request(request)
    namespaces = url_namespaces()
    menu_items[:] = [item for item in menu_items if _shown_for(item, active, namespaces)]
    for contribution in contributions("menu_items", active):
        item = contribution.item
        if item.permission is not None and not request.user.has_perm(item.permission):
            continue
        menu_items.append(
            WagtailMenuItem(
                item.label,
                reverse(item.url_name),
                name=f"{contribution.plugin}-{item.url_name.replace(':', '-')}",
                icon_name=item.icon,
                order=item.order,
            )
        )


@hooks.register("register_admin_urls")
def plugin_admin_urls():
    return [path("plugins/", manage_plugins, name="anju_plugins_manage")]


class ManagePluginsMenuItem(WagtailMenuItem):
    def is_shown(self, request):
        return _may_manage(request.user)


@hooks.register("register_settings_menu_item")
def manage_plugins_menu_item():
    return ManagePluginsMenuItem(
        _("Plugins"), reverse("anju_plugins_manage"), icon_name="cogs", order=900
    )


@hooks.register("construct_homepage_panels")
def add_plugin_dashboard_panels(request, panels):
    active = activation.active_for_request(request)
    for contribution in contributions("dashboard_panels", active):
        # Building the panel and asking is_shown are the plugin's code too: a failure in
        # either is an error box, like a failure to render.
        try:
            panel = contribution.item(request)
            shown = getattr(panel, "is_shown", lambda request: True)(request)
        except Exception:
            logger.exception("Dashboard panel of plugin %s failed", contribution.plugin)
            panels.append(SafePanel.failed(contribution.item, contribution.plugin))
            continue
        if shown:
            panels.append(SafePanel(panel, contribution.plugin))


@hooks.register("before_serve_page")
def hide_pages_of_disabled_plugins(page: Page, request, serve_args, serve_kwargs):
    owners = {c.item: c.plugin for c in contributions("page_types")}
    label = owners.get(page.specific_class)
    if label is not None and not activation.is_active(request, label):
        from django.http import Http404

        raise Http404
    return None
