"""The campaigns API's viewsets; see the package docstring."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, pagination, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from anju.permissions.api import RolePermissions
from anju.permissions.urlscope import Scope
from anju.services.fieldtypes import build_form_class
from anju.services.forms import service_form_class

from .. import rounds
from ..answering import AnswerError, record_answer
from ..duelist import due_list
from ..models import ANSWER_OUTCOMES, Campaign, Outcome, Round, Target
from ..progress import progress
from ..visibility import visible_campaigns, visible_targets


class Pages(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# --- serializers ------------------------------------------------------------------------


class CampaignSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    recurrence_display = serializers.CharField(source="get_recurrence_display", read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "title",
            "description",
            "kind",
            "kind_display",
            "community",
            "owner",
            "recurrence",
            "recurrence_display",
            "starts_on",
            "round_days",
            "target_kind",
            "is_active",
        ]
        read_only_fields = fields


class TargetSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="round.campaign_id", read_only=True)
    campaign_title = serializers.CharField(source="round.campaign.title", read_only=True)
    due_on = serializers.DateField(source="round.due_on", read_only=True)
    round_open = serializers.SerializerMethodField()
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "round",
            "campaign",
            "campaign_title",
            "due_on",
            "round_open",
            "household",
            "resident",
            "address",
            "resident_name",
            "grid",
            "grid_name",
            "assignee",
            "outcome",
            "outcome_display",
            "answered_at",
            "active",
        ]
        read_only_fields = fields

    def get_round_open(self, obj) -> bool:
        return obj.round.status == Round.Status.OPEN


class AnswerOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.CharField()
    outcome_display = serializers.CharField(source="get_outcome_display")
    note = serializers.CharField()
    answered_at = serializers.DateTimeField()
    answered_by = serializers.IntegerField(source="answered_by_id", allow_null=True)
    version = serializers.IntegerField(source="version.number", allow_null=True, default=None)
    answers = serializers.SerializerMethodField()
    case = serializers.CharField(source="case.reference", allow_null=True, default=None)
    visit = serializers.IntegerField(source="visit_id", allow_null=True)

    def get_answers(self, obj) -> list[dict]:
        return [{"label": label, "value": value} for label, value in obj.answers]


class TargetDetailSerializer(TargetSerializer):
    answers = AnswerOutSerializer(many=True, read_only=True)

    class Meta(TargetSerializer.Meta):
        fields = TargetSerializer.Meta.fields + ["answers"]
        read_only_fields = fields


class AnswerInSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ANSWER_OUTCOMES)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    answers = serializers.DictField(required=False, default=dict)
    record_visit = serializers.BooleanField(required=False, default=True)
    open_case = serializers.BooleanField(required=False, default=False)
    case_answers = serializers.DictField(required=False, default=dict)


class ReassignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    reached = serializers.IntegerField()
    done = serializers.IntegerField()
    not_home = serializers.IntegerField()
    refused = serializers.IntegerField()
    moved_out = serializers.IntegerField()
    follow_up = serializers.IntegerField()
    overdue = serializers.IntegerField()
    settled = serializers.IntegerField()
    percent = serializers.IntegerField()
    lagging = serializers.BooleanField()


class GridProgressSerializer(serializers.Serializer):
    grid = serializers.IntegerField(allow_null=True)
    grid_name = serializers.CharField()
    figures = FiguresSerializer()


class RoundProgressSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    campaign = serializers.IntegerField()
    campaign_title = serializers.CharField()
    number = serializers.IntegerField()
    starts_on = serializers.DateField()
    due_on = serializers.DateField()
    status = serializers.CharField()
    overdue = serializers.BooleanField()
    figures = FiguresSerializer()
    grids = GridProgressSerializer(many=True)
    lagging_grids = serializers.ListField(child=serializers.CharField())


def _progress_data(entries) -> list[dict]:
    return [
        {
            "round": e.round.pk,
            "campaign": e.round.campaign_id,
            "campaign_title": e.round.campaign.title,
            "number": e.round.number,
            "starts_on": e.round.starts_on,
            "due_on": e.round.due_on,
            "status": e.round.status,
            "overdue": e.round.is_overdue(),
            "figures": e.figures.as_dict(),
            "grids": [
                {"grid": g.grid_id, "grid_name": g.grid_name, "figures": g.figures.as_dict()}
                for g in e.grids
            ],
            "lagging_grids": [g.grid_name for g in e.lagging_grids],
        }
        for e in entries
    ]


DueHouseholdSerializer = inline_serializer(
    "CampaignDueHousehold",
    {
        "household": serializers.IntegerField(allow_null=True),
        "address": serializers.CharField(),
        "grid_name": serializers.CharField(),
        "items": inline_serializer(
            "CampaignDueItem",
            {
                "label": serializers.CharField(),
                "url": serializers.CharField(),
                "note": serializers.CharField(),
                "kind": serializers.CharField(),
                "target": serializers.IntegerField(allow_null=True),
            },
            many=True,
        ),
    },
    many=True,
)


def _form_data(data) -> dict:
    """A JSON object as a posted HTML form would send it (as the services API does)."""
    if isinstance(data, QueryDict):
        return data
    clean = {}
    for key, value in (data or {}).items():
        if value is None:
            continue
        if isinstance(value, list):
            clean[key] = [str(v) for v in value if not isinstance(v, dict | list)]
        elif isinstance(value, bool):
            clean[key] = "true" if value else "false"
        elif isinstance(value, dict):
            clean[key] = ""
        else:
            clean[key] = str(value)
    return clean


def _errors(form, prefix: str = "") -> dict:
    detail = {}
    for name, errors in form.errors.items():
        key = api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else f"{prefix}{name}"
        detail[key] = [str(e) for e in errors]
    return detail


# --- viewsets ---------------------------------------------------------------------------


@extend_schema(tags=["campaigns"])
class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    grid_scope = Scope.GRID  # visible_campaigns: the user's communities, or what they run
    permission_classes = [RolePermissions]
    queryset = Campaign.objects.none()
    serializer_class = CampaignSerializer
    pagination_class = Pages
    filter_backends: list = []

    def get_queryset(self):
        return visible_campaigns(self.request.user).order_by("-starts_on", "pk")

    @extend_schema(
        summary=gettext_lazy("A campaign's recent rounds, per grid"),
        responses={200: RoundProgressSerializer(many=True)},
    )
    # At most twelve rounds: one array, not paginated (and documented so).
    @action(detail=True, methods=["get"], pagination_class=None)
    def progress(self, request, pk=None):
        campaign = self.get_object()
        recent = campaign.rounds.select_related("campaign").order_by("-number")[:12]
        return Response(_progress_data(progress(request.user, recent)))


@extend_schema(tags=["campaigns"])
class ProgressViewSet(viewsets.GenericViewSet):
    grid_scope = Scope.GRID  # counted over visible_targets only
    permission_classes = [RolePermissions]
    queryset = Target.objects.none()
    serializer_class = RoundProgressSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary=gettext_lazy("Every open round, per grid, with the lagging grids"),
        responses={200: RoundProgressSerializer(many=True)},
    )
    def list(self, request):
        open_rounds = (
            Round.objects.filter(
                status=Round.Status.OPEN,
                campaign__in=visible_campaigns(request.user).values("pk"),
            )
            .select_related("campaign")
            .order_by("due_on", "pk")
        )
        return Response(_progress_data(progress(request.user, open_rounds)))


@extend_schema(tags=["campaigns"])
class TargetViewSet(viewsets.ReadOnlyModelViewSet):
    grid_scope = Scope.GRID  # visible_targets narrows every row to the user's grids
    permission_classes = [RolePermissions]
    action_permissions = {
        "answer": ["campaigns.add_targetanswer"],
        "reassign": ["campaigns.reassign_target"],
    }
    queryset = Target.objects.none()
    serializer_class = TargetSerializer
    pagination_class = Pages
    filter_backends: list = []

    def get_serializer_class(self):
        return TargetDetailSerializer if self.action == "retrieve" else TargetSerializer

    def get_queryset(self):
        targets = visible_targets(self.request.user).select_related("round__campaign")
        if self.action == "retrieve":
            targets = targets.prefetch_related("answers__version", "answers__case")
        params = self.request.query_params
        if self.action == "list":
            for name in ("round", "grid"):
                value = params.get(name, "")
                if value:
                    if not value.isdigit():
                        raise exceptions.ValidationError({name: [_("Give a number.")]})
                    targets = targets.filter(**{f"{name}_id": int(value)})
            outcome = params.get("outcome", "")
            if outcome:
                if outcome not in Outcome.values:
                    raise exceptions.ValidationError({"outcome": [_("Unknown outcome.")]})
                targets = targets.filter(outcome=outcome)
        return targets.walking_order() if self.action == "list" else targets

    @extend_schema(
        summary=gettext_lazy("Answer a target"),
        request=AnswerInSerializer,
        responses={201: AnswerOutSerializer},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        target = self.get_object()
        given = AnswerInSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        campaign = target.round.campaign
        user = request.user
        version = checklist_data = None
        reached = data["outcome"] in (Outcome.DONE, Outcome.FOLLOW_UP)
        if campaign.checklist_id and reached:
            version = campaign.checklist.current_version or campaign.checklist.snapshot()
            form = build_form_class(version.fields, user)(_form_data(data["answers"]))
            if not form.is_valid():
                raise exceptions.ValidationError({"answers": _errors(form)})
            checklist_data = form.cleaned_data
        case_form = None
        if data["open_case"]:
            if campaign.case_service is None:
                raise exceptions.ValidationError(
                    {"open_case": [_("This campaign opens no cases.")]}
                )
            case_form = service_form_class(campaign.case_service, user)(
                _form_data(data["case_answers"])
            )
            if not case_form.is_valid():
                raise exceptions.ValidationError({"case_answers": _errors(case_form)})
        try:
            answer = record_answer(
                target,
                user,
                outcome=data["outcome"],
                data=checklist_data,
                version=version,
                note=data["note"],
                record_visit=data["record_visit"],
                case_form=case_form,
            )
        except AnswerError as error:
            if error.code == "forbidden":
                raise exceptions.PermissionDenied(error.message) from error
            raise exceptions.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [error.message]}
            ) from error
        return Response(AnswerOutSerializer(answer).data, status=201)

    @extend_schema(
        summary=gettext_lazy("Give a target to someone of the grid's team"),
        request=ReassignSerializer,
        responses={200: TargetSerializer},
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        target = self.get_object()
        given = ReassignSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        from anju.community.models import GridTeamMember

        seats = GridTeamMember.objects.exclude(role="resident_rep").filter(
            grid__community_id=target.round.campaign.community_id
        )
        assignee = (
            get_user_model()
            .objects.filter(
                pk=given.validated_data["assignee"], pk__in=seats.values("user_id"), is_active=True
            )
            .first()
        )
        if assignee is None:
            raise exceptions.ValidationError(
                {"assignee": [_("Choose a member of this community's grid teams.")]}
            )
        rounds.reassign(Target.objects.filter(pk=target.pk), assignee)
        target.refresh_from_db()
        return Response(TargetSerializer(target).data)


@extend_schema(tags=["campaigns"])
class DueViewSet(viewsets.GenericViewSet):
    grid_scope = Scope.GRID  # the user's own due targets and their grids' households
    permission_classes = [RolePermissions]
    queryset = Target.objects.none()
    serializer_class = TargetSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary=gettext_lazy("My due list, in walking order"),
        responses={200: DueHouseholdSerializer},
    )
    def list(self, request):
        households = due_list(request.user)
        return Response(
            [
                {
                    "household": h.household_id,
                    "address": h.address,
                    "grid_name": h.grid_name,
                    "items": [
                        {
                            "label": e.label,
                            "url": e.url,
                            "note": e.note,
                            "kind": e.kind,
                            "target": e.target.pk if e.target else None,
                        }
                        for e in h.entries
                    ],
                }
                for h in households
            ]
        )


#: (URL prefix under /api/, viewset, basename) for anju.api.urls to register.
ROUTES = (
    ("campaigns/campaigns", CampaignViewSet, "campaigns-campaign"),
    ("campaigns/progress", ProgressViewSet, "campaigns-progress"),
    ("campaigns/targets", TargetViewSet, "campaigns-target"),
    ("campaigns/due", DueViewSet, "campaigns-due"),
)
