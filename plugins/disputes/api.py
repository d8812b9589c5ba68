"""The API, mounted by the platform at /api/disputes/: disputes (list, detail), their
figures, and screening rounds — read only, grid-scoped. The platform applies its
permission class (``view_dispute`` from the role) to every viewset here; which rows, the
grid seats decide (``handling.visible_disputes``, ``scope_queryset``)."""

import datetime

from django.db.models import Count, Prefetch
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import routers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anju.permissions import Scope, scope_queryset

from . import handling
from .figures import dispute_figures
from .forms import PeriodForm
from .models import (
    Dispute,
    DisputeLevel,
    DisputeParty,
    MediationSession,
    Outcome,
    ScreeningRound,
)


class PartySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    phone = serializers.CharField(source="masked_phone")
    resident = serializers.IntegerField(source="resident_id", allow_null=True)

    class Meta:
        model = DisputeParty
        fields = ["id", "resident", "name", "phone", "note"]


class SessionSerializer(serializers.ModelSerializer):
    mediator = serializers.SerializerMethodField()
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = MediationSession
        fields = ["id", "held_at", "mediator", "attendees", "agreement", "has_document"]

    def get_mediator(self, obj) -> str:
        return (obj.mediator.get_full_name() or obj.mediator.get_username()) if obj.mediator else ""

    def get_has_document(self, obj) -> bool:
        return bool(obj.agreement_document)


class EscalationSerializer(serializers.Serializer):
    """One step up (``handling.EscalationStep``): grid → community from the case's
    timeline, or a hand-over beyond the community."""

    from_level = serializers.ChoiceField(choices=DisputeLevel.choices)
    to_level = serializers.ChoiceField(choices=DisputeLevel.choices)
    reason = serializers.CharField()
    escalated_at = serializers.DateTimeField()


class DisputeSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="case.reference")
    status = serializers.CharField(source="case.status")
    filed_at = serializers.DateTimeField(source="case.created_at")
    grid = serializers.IntegerField(source="case.grid_id", allow_null=True)
    grid_name = serializers.SerializerMethodField()
    household = serializers.SerializerMethodField()
    parties = PartySerializer(many=True)
    session_count = serializers.IntegerField()
    # Read from the case (Dispute.level, .outcome, ...), never stored twice.
    level = serializers.ChoiceField(choices=DisputeLevel.choices, read_only=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True, allow_blank=True)
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    follow_up_due = serializers.DateField(read_only=True, allow_null=True)
    relapses = serializers.IntegerField(read_only=True)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "reference",
            "status",
            "filed_at",
            "grid",
            "grid_name",
            "household",
            "dispute_type",
            "risk",
            "level",
            "outcome",
            "place",
            "resolved_at",
            "follow_up_due",
            "relapses",
            "parties",
            "session_count",
        ]

    def get_grid_name(self, obj) -> str:
        return obj.case.grid.name if obj.case.grid_id else ""

    def get_household(self, obj) -> str:
        return obj.case.household.address if obj.case.household_id else ""


class DisputeDetailSerializer(DisputeSerializer):
    sessions = SessionSerializer(many=True)
    escalations = serializers.SerializerMethodField()

    @extend_schema_field(EscalationSerializer(many=True))
    def get_escalations(self, obj):
        return EscalationSerializer(handling.escalation_steps(obj), many=True).data

    class Meta(DisputeSerializer.Meta):
        fields = DisputeSerializer.Meta.fields + ["summary", "sessions", "escalations"]


FIGURES = inline_serializer(
    "DisputeFigures",
    {
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "grid": serializers.IntegerField(allow_null=True),
        "raised": serializers.IntegerField(),
        "resolved": serializers.IntegerField(),
        "resolved_in_grid": serializers.IntegerField(),
        "resolved_in_community": serializers.IntegerField(),
        "referred": serializers.IntegerField(),
        "withdrawn": serializers.IntegerField(),
        "open": serializers.IntegerField(),
        "resolution_rate": serializers.FloatField(allow_null=True),
        "within_grid_share": serializers.FloatField(allow_null=True),
        "median_days_to_resolve": serializers.FloatField(allow_null=True),
        "by_type": inline_serializer(
            "DisputeFiguresByType",
            {
                "type": serializers.CharField(),
                "label": serializers.CharField(),
                "raised": serializers.IntegerField(),
                "resolved": serializers.IntegerField(),
            },
            many=True,
        ),
    },
)


class DisputeViewSet(viewsets.ReadOnlyModelViewSet):
    """Disputes of the grids the user may see (the grid's team and the committee)."""

    grid_scope = Scope.GRID
    queryset = Dispute.objects.all()
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        return DisputeDetailSerializer if self.action == "retrieve" else DisputeSerializer

    def get_queryset(self):
        queryset = (
            handling.visible_disputes(self.request.user)
            .for_lists()
            .prefetch_related(
                Prefetch("parties", queryset=DisputeParty.objects.select_related("resident"))
            )
            .annotate(session_count=Count("sessions", distinct=True))
            .order_by("-case__created_at", "-pk")
        )
        params = self.request.query_params
        if params.get("outcome") == "open":
            queryset = queryset.open()
        elif params.get("outcome"):
            queryset = queryset.filter(current_outcome=params["outcome"])
        if params.get("grid", "").isdigit():
            queryset = queryset.filter(case__grid_id=int(params["grid"]))
        if params.get("type"):
            queryset = queryset.filter(dispute_type=params["type"])
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("sessions", queryset=MediationSession.objects.select_related("mediator"))
            )
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start", str, description="First day (YYYY-MM-DD); default 1 January."
            ),
            OpenApiParameter("end", str, description="Last day (YYYY-MM-DD); default today."),
            OpenApiParameter("grid", int, description="One grid's figures only."),
        ],
        responses=FIGURES,
    )
    @action(detail=False)
    def figures(self, request):
        """Raised, resolved, resolution rate, share resolved within the grid, median days
        to resolve, by type — for a period and optionally one grid."""
        form = PeriodForm(request.query_params or {}, user=request.user)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        data = form.cleaned_data
        figures = dispute_figures(
            handling.visible_disputes(request.user),
            start=data["start"],
            end=data["end"],
            grid=data.get("grid"),
        )
        return Response(figures.as_dict())


class ScreeningRoundSerializer(serializers.ModelSerializer):
    grid_name = serializers.CharField(source="grid.name")

    class Meta:
        model = ScreeningRound
        fields = ["id", "grid", "grid_name", "month", "found", "note"]


class ScreeningRoundViewSet(viewsets.ReadOnlyModelViewSet):
    """Screening rounds (排查) of the grids the user may see."""

    grid_scope = Scope.GRID
    queryset = ScreeningRound.objects.all()
    serializer_class = ScreeningRoundSerializer

    def get_queryset(self):
        queryset = scope_queryset(
            ScreeningRound.objects.select_related("grid"), self.request.user
        ).order_by("-month", "grid__number")
        month = self.request.query_params.get("month", "")
        try:
            first = datetime.datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            first = None
        if first is not None:
            queryset = queryset.filter(month=first)
        return queryset


router = routers.SimpleRouter()
router.register("screening-rounds", ScreeningRoundViewSet, basename="screening-round")
# /api/disputes/ is the list itself; /api/disputes/<id>/ and /api/disputes/figures/.
router.register("", DisputeViewSet, basename="dispute")
