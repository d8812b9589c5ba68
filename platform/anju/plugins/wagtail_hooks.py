"""Plugins' contributions to the Wagtail admin, applied with activation: menus and
dashboard panels of a plugin disabled for the request's community do not show, and its
admin views answer 404 (anju.plugins.middleware)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem as WagtailMenuItem
from wagtail.models import Page

from . import activation
from .mount import tag_patterns
from .panels import SafePanel
from .registry import contributions
from .views import _may_manage, manage_plugins


class PluginMenuItem(WagtailMenuItem):
    def __init__(self, *args, plugin: str, permission: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plugin = plugin
        self.permission = permission

    def is_shown(self, request):
        if not activation.is_active(request, self.plugin):
            return False
        return self.permission is None or request.user.has_perm(self.permission)


def _guard_viewset(viewset, label: str):
    """Tag the viewset's URLs with its plugin and hide its menu item where disabled."""
    if hasattr(viewset, "get_urlpatterns"):  # a ViewSetGroup has none of its own
        get_urlpatterns = viewset.get_urlpatterns
        viewset.get_urlpatterns = lambda: tag_patterns(get_urlpatterns(), label)
    if hasattr(viewset, "get_menu_item"):
        get_menu_item = viewset.get_menu_item

        def guarded_menu_item(*args, **kwargs):
            item = get_menu_item(*args, **kwargs)
            shown = item.is_shown
            item.is_shown = lambda request: activation.is_active(request, label) and shown(request)
            return item

        viewset.get_menu_item = guarded_menu_item
    for child in getattr(viewset, "registerables", ()):  # a ViewSetGroup's members
        _guard_viewset(child, label)
    return viewset


@hooks.register("register_admin_viewset")
def register_plugin_viewsets():
    return [_guard_viewset(c.item, c.plugin) for c in contributions("admin_viewsets")]


@hooks.register("construct_main_menu")
def add_plugin_menu_items(request, menu_items):
    """Declared MenuItems, built per request: this module may be imported before every
    plugin is ready, and the items depend on the request's community anyway."""
    for contribution in contributions("menu_items"):
        item = contribution.item
        menu_item = PluginMenuItem(
            item.label,
            reverse(item.url_name),
            name=f"{contribution.plugin}-{item.url_name.replace(':', '-')}",
            icon_name=item.icon,
            order=item.order,
            plugin=contribution.plugin,
            permission=item.permission,
        )
        if menu_item.is_shown(request):
            menu_items.append(menu_item)


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
        panel = contribution.item(request)
        if getattr(panel, "is_shown", lambda request: True)(request):
            panels.append(SafePanel(panel, contribution.plugin))


@hooks.register("before_serve_page")
def hide_pages_of_disabled_plugins(page: Page, request, serve_args, serve_kwargs):
    labels = {c.plugin for c in contributions("page_types")}
    if not labels:
        return None
    app_label = page.specific_class._meta.app_label if page.specific_class else None
    if app_label in labels and not activation.is_active(request, app_label):
        from django.http import Http404

        raise Http404
    return None
