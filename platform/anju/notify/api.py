"""A person's own in-app messages over REST (/api/notify/messages/).

Everyone signed in reads the in-app messages delivered to them — residents, grid
workers, committee members alike — and marks one read. Nobody reads another person's
messages here: the queryset is ``Message.objects.inbox(request.user)``, so any other
message is a 404. The whole outbox (every channel, every recipient) is the committee's,
in the admin (Settings → Messages, ``notify.view_message``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anju.permissions.urlscope import Scope

from .exceptions import TemplateError
from .models import Message


class InboxMessageSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "template", "subject", "body", "sent_at", "read", "read_at"]
        read_only_fields = fields

    def _rendered(self, message):
        try:
            return message.render()
        except TemplateError:  # a template whose plugin is gone: say so, never a 500
            return None

    def get_subject(self, message) -> str:
        rendered = self._rendered(message)
        return rendered.subject if rendered else message.template

    def get_body(self, message) -> str:
        rendered = self._rendered(message)
        return rendered.body if rendered else ""

    def get_read(self, message) -> bool:
        return message.read_at is not None


@extend_schema(tags=["notify"])
@extend_schema_view(
    list=extend_schema(summary=_("My messages")),
    retrieve=extend_schema(summary=_("One of my messages")),
)
class InboxViewSet(viewsets.ReadOnlyModelViewSet):
    """The in-app messages delivered to the signed-in user, newest first."""

    grid_scope = Scope.NO_GRID_DATA  # the user's own messages only
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = InboxMessageSerializer
    filter_backends: list = []
    queryset = Message.objects.none()

    def get_queryset(self):
        return Message.objects.inbox(self.request.user)

    @extend_schema(summary=_("Mark a message read"), request=None)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        message = self.get_object()
        message.mark_read()
        return Response(self.get_serializer(message).data, status=status.HTTP_200_OK)


#: (URL prefix under /api/, viewset, basename) for anju.api.urls to register.
ROUTES = (("notify/messages", InboxViewSet, "notify-message"),)
