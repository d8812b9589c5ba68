"""The audit log (anju.core.audit) in the admin: read-only, for the committee
(whole-community data). Here rather than in anju.core because the admin needs the
scope declarations of this layer, and the core imports nothing above it.

Also the login lockouts (anju.permissions.lockout, django-axes): Settings → Login
lockouts lists them and lifts one; and Settings → Partner organisations
(anju.permissions.partners)."""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from anju.core.models import AuditEntry

from . import lockout, pickers
from .admin.lockouts import LockoutListView, UnlockView
from .admin.menu import PermissionMenuItem
from .partners import PartnerOrganisation
from .scope import is_grid_restricted
from .urlscope import ALLOWED_FOR_GRID_RESTRICTED, Scope, ScopedViewSetMixin, route_name, scope_of


class AuditEntryViewSet(ScopedViewSetMixin, ModelViewSet):
    model = AuditEntry
    grid_scope = Scope.COMMUNITY
    icon = "history"
    menu_label = _("Audit log")
    add_to_settings_menu = True
    list_display = ["at", "user", "action", "object_repr", "where", "ip_address"]
    list_filter = ["action", "where"]
    search_fields = ["object_repr", "user__username"]
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = []  # nobody edits the audit log; without add/change permission no form shows

    def get_queryset(self, request):
        return AuditEntry.objects.select_related("user", "object_type")


@hooks.register("register_admin_viewset")
def register_audit_log():
    return AuditEntryViewSet("audit")


class PartnerOrganisationViewSet(ScopedViewSetMixin, ModelViewSet):
    """Settings → Partner organisations: the community's outside organisations (the gas
    company, the fire brigade) and their staff accounts — the committee's."""

    model = PartnerOrganisation
    grid_scope = Scope.COMMUNITY
    icon = "group"
    menu_label = _("Partner organisations")
    add_to_settings_menu = True
    list_display = ["name", "code", "community", "phone"]
    search_fields = ["name", "code"]
    form_fields = ["community", "code", "name", "phone", "members"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return PartnerOrganisation.objects.select_related("community")


@hooks.register("register_admin_viewset")
def register_partner_organisations():
    return PartnerOrganisationViewSet("partner_organisations")


@hooks.register("register_admin_urls")
def register_lockout_urls():
    return [
        path("lockouts/", LockoutListView.as_view(), name="permissions_lockouts"),
        path("lockouts/<int:pk>/unlock/", UnlockView.as_view(), name="permissions_lockout_unlock"),
        path("pick/residents/", pickers.pick_residents, name="permissions_pick_residents"),
    ]


@hooks.register("register_settings_menu_item")
def register_lockouts_menu_item():
    return PermissionMenuItem(
        _("Login lockouts"),
        reverse_lazy("permissions_lockouts"),
        name="login-lockouts",
        icon_name="lock",
        order=900,
        permission=lockout.VIEW_PERMISSION,
    )


# --- menus never lead to a refusal -------------------------------------------------------


def _opens_for_grid_restricted(item) -> bool:
    """Whether a menu item's page is one a grid-restricted user may open: its route's
    declared scope, as GridScopeMiddleware will judge it."""
    from django.urls import Resolver404, resolve

    url = str(getattr(item, "url", "") or "").split("?")[0]
    if not url.startswith("/admin/"):
        return True  # a submenu ("#") or an outside link: judged by its own items
    try:
        match = resolve(url)
    except Resolver404:
        return True
    return scope_of(match.func, route_name(match), match.route) in ALLOWED_FOR_GRID_RESTRICTED


def hide_refused_items(request, menu_items):
    """Grid workers and resident representatives do not see menu items the deny-by-default
    route scope refuses them (Reports → workflows, workflow tasks, site history, aging
    pages, page types usage, ...). An emptied submenu disappears with them."""
    if is_grid_restricted(request.user):
        menu_items[:] = [item for item in menu_items if _opens_for_grid_restricted(item)]


for _hook in ("construct_main_menu", "construct_reports_menu", "construct_settings_menu"):
    hooks.register(_hook, hide_refused_items)
