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

from . import lockout
from .admin.lockouts import LockoutListView, UnlockView
from .admin.menu import PermissionMenuItem
from .partners import PartnerOrganisation
from .urlscope import Scope, ScopedViewSetMixin


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
