"""The API, mounted by the platform at /api/safety/: hazards (list, detail, and the
rectification and re-check actions), gas statuses, talks and the figures per grid. The
platform's permission class applies the model permissions per role; which rows is
``handling.visible_hazards`` (a partner organisation's staff: only what was handed over
to it; anything else is a 404) and ``scope_queryset`` for grid data."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Count
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, routers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from anju.permissions import GridScopedViewSetMixin, Scope
from anju.services import WorkflowError, may_work_on

from . import figures, handling
from .forms import HazardForm, RecheckForm, RectifyForm, SeasonForm
from .models import GasStatus, Hazard, SafetyTalk


class HazardSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="case.reference")
    status = serializers.CharField(source="case.status")
    level = serializers.CharField(source="case.level")
    deadline = serializers.DateTimeField(source="case.resolve_due")
    grid = serializers.IntegerField(source="case.grid_id", allow_null=True)
    address = serializers.SerializerMethodField()
    state = serializers.CharField()
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Hazard
        fields = [
            "id",
            "reference",
            "item",
            "kind",
            "severity",
            "responsible",
            "description",
            "state",
            "status",
            "level",
            "deadline",
            "grid",
            "address",
            "rectified_at",
            "rechecked_at",
            "recheck_passed",
            "has_photo",
            "created_at",
        ]

    def get_address(self, obj) -> str:
        return obj.case.household.address if obj.case.household_id else ""

    def get_has_photo(self, obj) -> bool:
        return bool(obj.photo)


def _form_errors(form) -> dict:
    return {
        ("non_field_errors" if name == "__all__" else name): [str(e) for e in errors]
        for name, errors in form.errors.items()
    }


class HazardViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = HazardSerializer
    grid_scope = Scope.GRID
    # The actions are POSTs that change a hazard: they need view_ and these, not add_.
    action_permissions = {
        "rectify": ["safety.change_hazard"],
        "recheck": ["safety.change_hazard", "safety.recheck_hazard"],
        # Severity and who must fix it are the grid's team's call, not a partner's.
        "update_details": ["safety.change_hazard", "safety.add_hazard"],
    }

    def get_queryset(self):
        return (
            handling.visible_hazards(self.request.user).for_lists().order_by("-created_at", "-pk")
        )

    def _act(self, request, form_class, name, do):
        hazard = self.get_object()
        if not (
            request.user.has_perm("safety.change_hazard") and may_work_on(request.user, hazard.case)
        ):
            raise PermissionDenied
        if name == "recheck" and not request.user.has_perm("safety.recheck_hazard"):
            raise PermissionDenied
        # A body that is not an object (JSON `true`, a list) has no fields: the form
        # says which are missing, a 400 like any other.
        data = request.data if isinstance(request.data, Mapping) else {}
        form = form_class(data, request.FILES)
        if not form.is_valid():
            return Response(_form_errors(form), status=status.HTTP_400_BAD_REQUEST)
        try:
            do(hazard, form.cleaned_data)
        except WorkflowError as exc:
            return Response(
                {"non_field_errors": [exc.message], "code": exc.code},
                status=status.HTTP_400_BAD_REQUEST,
            )
        hazard = self.get_queryset().get(pk=hazard.pk)
        return Response(HazardSerializer(hazard).data)

    @extend_schema(
        request=inline_serializer("HazardRectify", {"note": serializers.CharField()}),
        responses=HazardSerializer,
    )
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        """Report the hazard fixed (整改); it then waits for a re-check."""
        return self._act(
            request,
            RectifyForm,
            "rectify",
            lambda h, d: handling.rectify(h, request.user, d["note"]),
        )

    @extend_schema(
        request=inline_serializer(
            "HazardRecheck",
            {"passed": serializers.ChoiceField(["yes", "no"]), "note": serializers.CharField()},
        ),
        responses=HazardSerializer,
    )
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None):
        """Re-check (复查): "yes" closes it, "no" leaves it open. A closed hazard is
        refused with the reason."""
        return self._act(
            request,
            RecheckForm,
            "recheck",
            lambda h, d: handling.recheck(
                h, request.user, passed=d["passed"], note=d.get("note", "")
            ),
        )

    @extend_schema(
        request=inline_serializer(
            "HazardUpdate",
            {
                "severity": serializers.CharField(),
                "responsible": serializers.CharField(),
                "description": serializers.CharField(required=False),
                "photo": serializers.ImageField(required=False),
            },
        ),
        responses=HazardSerializer,
    )
    @action(detail=True, methods=["post"])
    def update_details(self, request, pk=None):
        """Severity, who must fix it, what was found, a photo (an image, or refused)."""
        return self._act(
            request,
            HazardForm,
            "update",
            lambda h, d: handling.update(
                h,
                request.user,
                severity=d["severity"],
                responsible=d["responsible"],
                description=d.get("description", ""),
                photo=d.get("photo"),
            ),
        )


class GasStatusSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="household.address", read_only=True)
    grid = serializers.IntegerField(source="household.building.grid_id", read_only=True)

    class Meta:
        model = GasStatus
        fields = ["id", "household", "address", "grid", "state", "lpg_cylinders", "updated_at"]


class GasStatusViewSet(GridScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = GasStatus.objects.select_related("household__building").order_by("pk")
    serializer_class = GasStatusSerializer
    grid_scope = Scope.GRID


class TalkSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", default="", read_only=True)
    attended = serializers.IntegerField(read_only=True)

    class Meta:
        model = SafetyTalk
        fields = [
            "id",
            "title",
            "kind",
            "partner",
            "partner_name",
            "starts_at",
            "place",
            "attended",
        ]


class TalkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TalkSerializer
    # Talks and how many households came: no household is named here.
    grid_scope = Scope.NO_GRID_DATA

    def get_queryset(self):
        return (
            SafetyTalk.objects.select_related("partner")
            .annotate(attended=Count("attendees"))
            .order_by("-starts_at", "-pk")
        )


class FiguresViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The season's figures per grid (``?on=YYYY-MM-DD`` picks the season)."""

    grid_scope = Scope.GRID
    queryset = GasStatus.objects.none()  # the permission class reads view_gasstatus
    pagination_class = None

    @extend_schema(
        responses=inline_serializer(
            "SafetyGridFigures",
            {
                "grid": serializers.IntegerField(),
                "grid_name": serializers.CharField(),
                "households": serializers.IntegerField(),
                "checked": serializers.IntegerField(),
                "lpg_households": serializers.IntegerField(),
                "talk_households": serializers.IntegerField(),
                "hazards": serializers.DictField(),
            },
            many=True,
        )
    )
    def list(self, request, *args, **kwargs):
        form = SeasonForm(request.query_params)
        if not form.is_valid():
            return Response(_form_errors(form), status=status.HTTP_400_BAD_REQUEST)
        rows = figures.grid_figures(request.user, form.cleaned_data.get("on"))
        return Response([row.as_dict() for row in rows])


router = routers.SimpleRouter()
router.register("hazards", HazardViewSet, basename="hazard")
router.register("gas", GasStatusViewSet, basename="gas")
router.register("talks", TalkViewSet, basename="talk")
router.register("figures", FiguresViewSet, basename="figures")
