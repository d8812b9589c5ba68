"""Staff API for delivery to every household: records of reaching a household, scoped
by grid, and coverage per grid."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anju.permissions.api import GridScopedViewSetMixin

from . import delivery
from .models import DeliveryChannel, NoticeDelivery


class NoticeDeliverySerializer(serializers.ModelSerializer):
    notice = serializers.PrimaryKeyRelatedField(queryset=delivery.notices_to_deliver())
    household = serializers.IntegerField(source="household_id")
    channel = serializers.ChoiceField(choices=DeliveryChannel.choices)
    reached_by = serializers.CharField(source="reached_by.get_full_name", read_only=True)
    grid = serializers.IntegerField(source="household.building.grid_id", read_only=True)

    class Meta:
        model = NoticeDelivery
        fields = ["id", "notice", "household", "grid", "channel", "reached_at", "reached_by"]
        read_only_fields = ["reached_at"]
        # The unique pair is handled by delivery.record(): recording twice is no error.
        validators = []


class NoticeDeliveryViewSet(
    GridScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Who reached which household for which notice. POST records a reach (idempotent:
    a second POST for the same household answers 200 with the first record)."""

    queryset = NoticeDelivery.objects.select_related("household__building", "reached_by").order_by(
        "-reached_at", "-pk"
    )
    serializer_class = NoticeDeliverySerializer
    filterset_fields = ["notice", "channel"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            record, created = delivery.record(
                data["notice"], data["household_id"], data["channel"], request.user
            )
        except delivery.DeliveryError as error:
            raise serializers.ValidationError({"household": [str(error)]}) from error
        return Response(
            self.get_serializer(record).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        parameters=[OpenApiParameter("notice", int, required=True)],
        responses=inline_serializer(
            "DeliveryCoverage",
            {
                "grid": serializers.IntegerField(),
                "name": serializers.CharField(),
                "targeted": serializers.IntegerField(),
                "reached": serializers.IntegerField(),
            },
            many=True,
        ),
    )
    @action(detail=False, methods=["get"])
    def coverage(self, request):
        """Reached / targeted households per grid you may see, for one notice."""
        notice_id = request.query_params.get("notice", "")
        if not notice_id.isdigit():
            raise serializers.ValidationError({"notice": [_("Give the notice's id.")]})
        notice = get_object_or_404(delivery.notices_to_deliver(), pk=int(notice_id))
        return Response(
            [
                {
                    "grid": row.grid.pk,
                    "name": row.grid.name,
                    "targeted": row.targeted,
                    "reached": row.reached,
                }
                for row in delivery.coverage(notice, request.user)
            ]
        )
