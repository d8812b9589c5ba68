"""The outbox in the staff interface: a read-only list of messages (filter by status,
channel and template) with each message's attempts and last error.

Messages hold the whole community's notifications: the views are declared
``Scope.COMMUNITY`` (refused to grid-restricted roles), and each person sees the messages
of their own communities only (``Message.community_path``, the list and the inspect view
both through anju.permissions.scope; a message of another community is a 404). Nobody
adds, edits or deletes a message here, superusers included; seeing them needs
``notify.view_message``.
"""

from django.contrib.auth import get_user_model
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from anju.permissions.admin.views import ScopedIndexView, ScopedInspectView
from anju.permissions.urlscope import Scope, ScopedViewSetMixin

from .models import Message, Status


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Only "view": the outbox is written by the notification code, never by hand."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_permission(user, "view")

    def users_with_any_permission(self, actions):
        if "view" not in actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(["view"])


register_permission_policy(Message, ReadOnlyPermissionPolicy(Message))


def _short_error(message) -> str:
    error = message.last_error
    return error if len(error) <= 80 else error[:79] + "…"


class MessageIndexView(ScopedIndexView):
    grid_scope = Scope.COMMUNITY

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user")


class MessageInspectView(ScopedInspectView):
    grid_scope = Scope.COMMUNITY


class ReadOnlyModelViewSet(ModelViewSet):
    """The list (with its filters) and the inspect view; no add, edit, copy or delete
    views exist at all."""

    copy_view_enabled = False
    inspect_view_enabled = True

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


class MessageViewSet(ScopedViewSetMixin, ReadOnlyModelViewSet):
    model = Message
    index_view_class = MessageIndexView
    inspect_view_class = MessageInspectView
    grid_scope = Scope.COMMUNITY
    icon = "mail"
    menu_label = _("Messages")
    menu_order = 900
    add_to_admin_menu = True
    list_per_page = 50
    # Messages reference nothing editors care about, and indexing each save would double
    # the cost of sending one.
    add_to_reference_index = False
    list_filter = ["status", "channel", "template"]
    list_display = [
        "__str__",
        "channel",
        StatusTagColumn(
            "status",
            label=capfirst(_("status")),
            accessor="get_status_display",
            primary=lambda message: message.status == Status.SENT,
            sort_key="status",
        ),
        Column("attempts", label=capfirst(_("attempts")), sort_key="attempts"),
        Column("last_error", label=capfirst(_("last error")), accessor=_short_error),
        Column("created_at", label=capfirst(_("created at")), sort_key="created_at"),
        Column("sent_at", label=capfirst(_("sent at")), sort_key="sent_at"),
    ]
    search_fields = ["template", "dedup_key"]
    inspect_view_fields = [
        "template",
        "channel",
        "recipient_display",
        "status",
        "attempts",
        "last_error",
        "dedup_key",
        "payload",
        "language",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "read_at",
    ]

    def get_permissions_to_register(self):
        return super().get_permissions_to_register().filter(codename="view_message")


@hooks.register("register_admin_viewset")
def register_message_viewset():
    return MessageViewSet("notify_messages")
