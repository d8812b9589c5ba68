"""The audit log (anju.core.audit) in the admin: read-only, for the committee
(whole-community data). Here rather than in anju.core because the admin needs the
scope declarations of this layer, and the core imports nothing above it."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from anju.core.models import AuditEntry

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
