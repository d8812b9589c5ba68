"""The services engine over REST (/api/services/...).

Residents (signed in or not):

- ``GET  forms/`` and ``forms/<slug>/``: the forms they can file, with their fields;
- ``POST forms/<slug>/submit/``: file one (JSON or multipart), idempotent with a key;
- ``POST track/``: follow a case by reference number and the phone's last four digits;
- ``GET  my-cases/``: a signed-in resident's own cases.

What residents read of a case is public only: its status, a rejection's reason, the
timeline entries marked public and the names of public attachments.

Staff (``services.view_case``), always through ``visibility.visible_cases``, the one
filter of what a person may see — a case outside it does not exist for them (404):

- ``GET  cases/`` (filtered, paged) and ``cases/<reference>/``;
- ``POST cases/<reference>/transition|assign|comment|follow-up/`` — the workflow's own
  functions decide who may do what (403) and what is allowed (400);
- ``GET  cases/<reference>/attachments/<id>/``: an attachment's file;
- ``GET  figures/``: the figures over the cases they may see.

Every list runs the same number of queries whatever its length.

Over 600 lines, on purpose for now: the resident-facing half (forms, tracking, my cases)
was being reworked on another branch when the admin modules were split, so this module
was left whole to keep that merge clean. Its sections (shared, forms residents file,
what residents see of their cases, staff) are the modules it splits into next.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from anju.community.idnumbers import mask_phone
from anju.community.models import Household
from anju.community.sites import current_community
from anju.core.media import protected_file_response
from anju.core.pagination import CappedCountPagination
from anju.core.parsers import CleanFormParser, CleanMultiPartParser, SafeJSONParser
from anju.permissions.api import RolePermissions, drf_validation_error
from anju.permissions.scope import scope_queryset
from anju.permissions.urlscope import Scope

from .. import codeforms, consent, uploads, workflow
from ..fieldtypes import FieldType, HouseholdField, type_of
from ..forms import RequesterForm, TrackForm, service_form_class
from ..models import Case, CaseAttachment, CaseEvent, Service, Status
from ..submission import Requester, code_slug, existing_case, submit
from ..visibility import own_cases, visible_cases
from . import serializers as s
from .filters import CaseFilter
from .throttles import SubmitThrottle, TrackThrottle

# --- shared -------------------------------------------------------------------------


class ThrottledMessageMixin:
    """A 429 that says, in the request's language, what to do."""

    throttled_message = gettext_lazy(
        "Too many requests from here. Please wait a while and try again."
    )

    def throttled(self, request, wait):
        raise exceptions.Throttled(wait, detail=str(self.throttled_message))


def _form_errors(*forms) -> dict:
    """Django forms' errors as DRF field errors (``__all__`` → non_field_errors)."""
    detail: dict[str, list[str]] = {}
    for form in forms:
        for name, errors in form.errors.items():
            key = api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name
            detail.setdefault(key, []).extend(str(e) for e in errors)
    return detail


def _form_data(request):
    """The request body as a Django form reads it. A JSON body's scalars become text and
    its lists lists of text, as a posted HTML form would send them."""
    data = request.data
    if isinstance(data, QueryDict):
        return data
    if not isinstance(data, dict):
        raise exceptions.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: [_("Send the answers as a JSON object.")]}
        )
    clean = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list):
            clean[key] = [str(v) for v in value if not isinstance(v, dict | list)]
        elif isinstance(value, dict):
            clean[key] = ""
        elif isinstance(value, bool):
            clean[key] = "true" if value else "false"
        else:
            clean[key] = str(value)
    return clean


# --- forms residents file -----------------------------------------------------------


def _code_specs(request) -> dict[tuple[str, str], object]:
    """{(plugin, service slug): ServiceForm} of the plugins active for the request."""
    return {
        (plugin, code_slug(plugin, slug)): spec
        for (plugin, slug), spec in codeforms.active_forms(request).items()
    }


def filable_services(request) -> list[tuple[Service, object]]:
    """(service, plugin's ServiceForm or None) for each service residents can file here:
    open, offered in this community, a built form with a version or a code-defined form
    of an active plugin."""
    community = current_community(request)
    specs = _code_specs(request)
    where = Q(community__isnull=True)
    if community is not None:
        where |= Q(community_id=community.pk)
    services = (
        Service.objects.filter(where, is_active=True)
        .filter(
            Q(kind=Service.Kind.BUILT, current_version__isnull=False)
            | Q(kind=Service.Kind.CODE, plugin__in={plugin for plugin, _slug in specs})
        )
        .select_related("current_version")
        .order_by("title", "pk")
    )
    result = []
    for service in services:
        spec = None
        if service.kind == Service.Kind.CODE:
            spec = specs.get((service.plugin, service.slug))
            if spec is None:
                continue
        result.append((service, spec))
    return result


def describe_form(service: Service, spec, user, household_choices) -> dict:
    """A service's form as the API describes it (labels in the request's language for a
    plugin's form; as staff wrote them for a built one)."""
    form_class = service_form_class(service, user, spec.form_class if spec else None)
    types = {}
    if spec is None and service.current_version is not None:
        types = {f["name"]: f["type"] for f in service.current_version.fields}
    fields = []
    for name, field in form_class.base_fields.items():
        kind = str(types.get(name) or type_of(field))
        item = {
            "name": name,
            "label": str(field.label or name.replace("_", " ").capitalize()),
            "type": kind,
            "required": field.required,
            "help_text": str(field.help_text or ""),
            "choices": [],
        }
        if isinstance(field, HouseholdField) or kind == FieldType.HOUSEHOLD:
            item["choices"] = household_choices(user)
        elif hasattr(field, "choices"):
            item["choices"] = [
                {"value": str(value), "label": str(label)}
                for value, label in field.choices
                if value != ""
            ]
        if kind == FieldType.FILE:
            item["accept"] = [e.lstrip(".") for e in uploads.allowed_extensions()]
            item["max_bytes"] = uploads.max_bytes()
        fields.append(item)
    return {
        "slug": service.slug,
        "title": str(spec.title) if spec is not None else service.title,
        "description": str(spec.description or service.description)
        if spec is not None
        else service.description,
        "allow_anonymous": service.allow_anonymous,
        "fields": fields,
    }


class _HouseholdChoices:
    """The households a user may pick, read once per request however many fields ask."""

    def __init__(self):
        self.cache = None

    def __call__(self, user):
        if user is None or not user.is_authenticated:
            return []
        if self.cache is None:
            from ..fieldtypes import household_queryset

            self.cache = [
                {"value": str(h.pk), "label": h.address}
                for h in household_queryset(user).order_by("building__name", "unit", "room")[:2000]
            ]
        return self.cache


@extend_schema(tags=["services"])
class ServiceFormViewSet(ThrottledMessageMixin, viewsets.GenericViewSet):
    """The request forms residents can file (便民服务), and filing one."""

    grid_scope = Scope.PUBLIC
    permission_classes = [permissions.AllowAny]
    pagination_class = None
    filter_backends: list = []
    queryset = Service.objects.none()  # for the schema; filable_services answers
    serializer_class = s.ServiceFormSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def _find(self, slug):
        for service, spec in filable_services(self.request):
            if service.slug == slug:
                return service, spec
        raise Http404

    @extend_schema(summary=gettext_lazy("Forms residents can file"))
    def list(self, request):
        choices = _HouseholdChoices()
        data = [
            describe_form(service, spec, request.user, choices)
            for service, spec in filable_services(request)
        ]
        return Response(data)

    @extend_schema(summary=gettext_lazy("One form and its fields"))
    def retrieve(self, request, slug=None):
        service, spec = self._find(slug)
        return Response(describe_form(service, spec, request.user, _HouseholdChoices()))

    @extend_schema(
        summary=gettext_lazy("File a request"),
        description=gettext_lazy(
            "The answers go at the top level under their fields' names, with "
            "requester_name and requester_phone; a form with a file field is sent as "
            "multipart/form-data. 201 with the new case's reference number; 200 with "
            "the same case when the Idempotency-Key (header or idempotency_key) was "
            "sent before by the same requester. 400 with field errors, in the "
            "request's language, exactly as the portal's form gives them."
        ),
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="At most 64 characters; one per intended request.",
            )
        ],
        request={
            "application/json": s.ServiceSubmitSerializer,
            "multipart/form-data": s.ServiceSubmitSerializer,
        },
        responses={
            201: s.ServiceSubmittedSerializer,
            200: s.ServiceSubmittedSerializer,
            400: OpenApiResponse(description="Field errors"),
            403: OpenApiResponse(description="Sign in first: the service needs an account"),
            429: OpenApiResponse(description="Too many requests"),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        throttle_classes=[SubmitThrottle],
        parser_classes=[SafeJSONParser, CleanMultiPartParser, CleanFormParser],
    )
    def submit(self, request, slug=None):
        service, spec = self._find(slug)
        user = request.user
        if not service.allow_anonymous and not user.is_authenticated:
            raise exceptions.NotAuthenticated(
                _("Sign in to make this request: it is not taken from people without an account.")
            )
        data = _form_data(request)
        key = request.headers.get("Idempotency-Key") or data.get("idempotency_key") or ""
        community = service.community or current_community(request)
        requester_form = RequesterForm(
            {
                "requester_name": data.get("requester_name", ""),
                "requester_phone": data.get("requester_phone", ""),
                "building": data.get("building", ""),
                "room": data.get("room", ""),
                "idempotency_key": key,
            },
            community=community,
        )
        household = _on_behalf_household(request, data.get("on_behalf_household"))
        # 代办 needs the resident's consent, as in the admin's filing form.
        consent_form = consent.api_form(data, request.FILES) if household is not None else None
        form_class = service_form_class(service, user, spec.form_class if spec else None)
        form = form_class(data, request.FILES)
        valid = requester_form.is_valid() & form.is_valid()
        if consent_form is not None:
            valid = consent_form.is_valid() & valid
        if not valid:
            errors = _form_errors(requester_form, form)
            if consent_form is not None:
                errors.update(_consent_errors(consent_form))
            raise exceptions.ValidationError(errors)
        requester = Requester(
            name=requester_form.cleaned_data["requester_name"],
            phone=requester_form.cleaned_data["requester_phone"],
            # Filed on a resident's behalf (代办): the resident, not the staff account,
            # is the requester; the staff member is recorded as the one who filed it.
            user=user if user.is_authenticated and household is None else None,
            building=requester_form.cleaned_data.get("building"),
            room=requester_form.cleaned_data.get("room", ""),
        )
        key = requester_form.cleaned_data.get("idempotency_key") or ""
        if consent_form is not None:
            case = existing_case(service, key, requester)
            if case is not None:  # a retry: the first submit used the code up
                return self._submitted(request, case, created=False)
            if not consent_form.verify(requester.phone, service):
                raise exceptions.ValidationError(_consent_errors(consent_form))
        try:
            case, created = submit(
                service,
                form,
                requester=requester,
                community=community,
                household=household,
                filed_by=user if household is not None else None,
                idempotency_key=key,
                on_submit=spec.on_submit if spec else None,
            )
        except DjangoValidationError as exc:
            raise drf_validation_error(exc) from exc
        if created and consent_form is not None:
            consent.record(case, consent_form, user)
        return self._submitted(request, case, created=created)

    def _submitted(self, request, case, *, created: bool):
        case = Case.objects.select_related("service").get(pk=case.pk)
        return Response(
            s.ServiceSubmittedSerializer(case, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary=gettext_lazy("Send a resident the consent code for filing on their behalf"),
        description=gettext_lazy(
            "For staff who file on residents' behalf (代办). The resident gets a six-digit "
            "code by SMS and reads it back; send it as consent_code (with consent_method "
            "sms_code) when filing with on_behalf_household. 202 when sent; 429 when the "
            "phone has had too many codes this hour."
        ),
        request=s.ConsentCodeSerializer,
        responses={
            202: s.ConsentCodeSentSerializer,
            400: OpenApiResponse(description="Field errors"),
            403: OpenApiResponse(description="Not allowed to file on residents' behalf"),
            429: OpenApiResponse(description="Too many codes"),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="consent-code",
        throttle_classes=[SubmitThrottle],
        parser_classes=[SafeJSONParser, CleanFormParser],
    )
    def consent_code(self, request, slug=None):
        user = request.user
        if not (user.is_authenticated and user.has_perm("services.file_on_behalf")):
            raise exceptions.PermissionDenied(
                _("You may not file requests on a resident's behalf.")
            )
        service, _spec = self._find(slug)
        form = consent.SendCodeForm(_form_data(request))
        if not form.is_valid():
            raise exceptions.ValidationError(_form_errors(form))
        phone = form.cleaned_data["phone"]
        try:
            consent.send_code(phone, service, user)
        except consent.CodeError as error:
            return Response({"detail": str(error)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        return Response(
            {
                "phone_masked": mask_phone(phone),
                "detail": _(
                    "A code has been sent to %(phone)s. Ask the resident to read it to you."
                )
                % {"phone": mask_phone(phone)},
            },
            status=status.HTTP_202_ACCEPTED,
        )


def _consent_errors(form) -> dict:
    """A ConsentForm's errors under the API's names (consent_method, …)."""
    return {
        consent.API_FIELDS.get(name, name): [str(e) for e in errors]
        for name, errors in form.errors.items()
    }


def _on_behalf_household(request, value):
    """The household a staff member files for (代办): one of their own grids', and only
    for people who may file on residents' behalf. None when not filing on behalf."""
    if value in (None, ""):
        return None
    user = request.user
    if not (user.is_authenticated and user.has_perm("services.file_on_behalf")):
        raise exceptions.PermissionDenied(_("You may not file requests on a resident's behalf."))
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = None
    household = (
        scope_queryset(Household.objects.select_related("building__grid"), user)
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if household is None:
        raise exceptions.ValidationError(
            {"on_behalf_household": [_("Choose a household of your own grids.")]}
        )
    return household


# --- what residents see of their cases ----------------------------------------------


def with_public_detail(queryset):
    """Cases with what a resident may read of them, in a fixed number of queries."""
    return queryset.select_related("service", "version").prefetch_related(
        Prefetch(
            "events",
            queryset=CaseEvent.objects.filter(public=True).order_by("created_at", "pk"),
            to_attr="public_events",
        ),
        Prefetch(
            "attachments",
            queryset=CaseAttachment.objects.filter(public=True).order_by("created_at", "pk"),
            to_attr="public_attachments",
        ),
    )


@extend_schema(tags=["services"])
class TrackViewSet(ThrottledMessageMixin, viewsets.GenericViewSet):
    """Follow a request by its reference number and the last four digits of the phone
    number it was filed with — no account needed."""

    grid_scope = Scope.PUBLIC
    permission_classes = [permissions.AllowAny]
    throttle_classes = [TrackThrottle]
    serializer_class = s.CaseTrackSerializer
    queryset = Case.objects.none()
    pagination_class = None
    filter_backends: list = []
    throttled_message = gettext_lazy("Too many tries. Please wait a while and try again.")

    @extend_schema(
        summary=gettext_lazy("Track a request"),
        description=gettext_lazy(
            "Only what is public: the status, the reason of a rejection, public "
            "timeline entries and the names of public attachments. 404 with one message "
            "whether the reference number or the digits are wrong."
        ),
        request=s.CaseTrackSerializer,
        responses={
            200: s.PublicCaseSerializer,
            400: OpenApiResponse(description="Field errors"),
            404: OpenApiResponse(description="No such request"),
            429: OpenApiResponse(description="Too many tries"),
        },
    )
    def create(self, request):
        data = request.data if isinstance(request.data, dict | QueryDict) else {}
        form = TrackForm(
            {
                "reference": str(data.get("reference") or ""),
                "phone_last4": str(data.get("phone_last4") or ""),
            }
        )
        if not form.is_valid():
            raise exceptions.ValidationError(_form_errors(form))
        case = (
            with_public_detail(Case.objects.all())
            .filter(
                reference=form.cleaned_data["reference"],
                phone_last4=form.cleaned_data["phone_last4"],
            )
            .first()
        )
        if case is None:
            # One message for both mistakes: nobody learns which numbers exist.
            raise exceptions.NotFound(
                _("No request matches that reference number and phone number.")
            )
        return Response(s.PublicCaseSerializer(case, context={"request": request}).data)


class CasePagination(CappedCountPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    # A grid worker's cases are an OR of a few index scans (visibility.case_filter):
    # read the page's ids alone, then the rows (CappedCountPagination.page_rows).
    ids_first = True


@extend_schema(tags=["services"])
@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("My requests")),
    retrieve=extend_schema(summary=gettext_lazy("One of my requests")),
)
class MyCaseViewSet(viewsets.ReadOnlyModelViewSet):
    """The requests a signed-in resident filed, newest first: what is public of them."""

    grid_scope = Scope.NO_GRID_DATA  # the user's own requests only
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = s.OwnCaseSerializer
    pagination_class = CasePagination
    filter_backends: list = []
    queryset = Case.objects.none()
    lookup_field = "reference"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return with_public_detail(own_cases(self.request.user)).order_by("-created_at", "-pk")


# --- staff --------------------------------------------------------------------------


def _workflow_error(error: workflow.WorkflowError) -> Response:
    code = status.HTTP_403_FORBIDDEN if error.code == "forbidden" else status.HTTP_400_BAD_REQUEST
    return Response({"detail": error.message, "code": error.code}, status=code)


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases (办件) of the grids and services the user may see; acting on them.

    Reading needs ``services.view_case``; whether a person may change a case is the
    workflow's to decide (its assignee, or staff who may change cases and see it).
    """

    grid_scope = Scope.GRID  # visible_cases narrows every row to the user's grids
    permission_classes = [RolePermissions]
    #: Actions need view_case here; workflow.py checks the rest for each case.
    action_permissions = {
        "transition": [],
        "assign": [],
        "comment": [],
        "follow_up": [],
        "attachment": [],
    }
    queryset = Case.objects.none()  # for the schema and RolePermissions; see get_queryset
    serializer_class = s.CaseListSerializer
    filterset_class = CaseFilter
    pagination_class = CasePagination
    lookup_field = "reference"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if self.action == "list":
            return visible_cases(self.request.user, s.CaseListSerializer.queryset()).order_by(
                "-created_at", "-pk"
            )
        queryset = visible_cases(self.request.user, Case.objects.for_lists())
        return queryset.select_related("version", "consent__recorded_by").prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
            "attachments",
        )

    def get_serializer_class(self):
        return s.CaseListSerializer if self.action == "list" else s.CaseDetailSerializer

    def _answer(self, request):
        case = self.get_object()  # fresh, with its timeline
        return Response(s.CaseDetailSerializer(case, context={"request": request}).data)

    def _act(self, change):
        try:
            change()
        except workflow.WorkflowError as error:
            return _workflow_error(error)
        except DjangoValidationError as exc:
            raise drf_validation_error(exc) from exc
        return None

    @extend_schema(
        summary=gettext_lazy("Change a case's status"),
        description=gettext_lazy(
            "to=escalated hands it to the community. A rejection needs a reason (shown "
            "to the resident). Closing is the follow-up's. 403 if you may not change "
            "this case; 400 with the reason if the change is not allowed."
        ),
        request=s.CaseTransitionSerializer,
        responses={200: s.CaseDetailSerializer, 400: OpenApiResponse(), 403: OpenApiResponse()},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, reference=None):
        case = self.get_object()
        body = s.CaseTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        to = body.validated_data["to"]
        reason = body.validated_data.get("reason", "")
        note = body.validated_data.get("note", "")

        def change():
            with transaction.atomic():
                if to == Status.ESCALATED:
                    # The escalation's reason is public; a staff note stays a staff note.
                    workflow.transition(case, to, request.user, reason=reason)
                    if note.strip():
                        workflow.comment(case, request.user, note, public=False)
                else:
                    workflow.transition(case, to, request.user, note=note, reason=reason)

        return self._act(change) or self._answer(request)

    @extend_schema(
        summary=gettext_lazy("Assign a case"),
        request=s.CaseAssignSerializer,
        responses={200: s.CaseDetailSerializer, 400: OpenApiResponse(), 403: OpenApiResponse()},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, reference=None):
        from django.contrib.auth import get_user_model

        case = self.get_object()
        body = s.CaseAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignee = None
        if body.validated_data["assignee"] is not None:
            assignee = (
                get_user_model()
                .objects.filter(pk=body.validated_data["assignee"], is_active=True)
                .first()
            )
            if assignee is None:
                raise exceptions.ValidationError(
                    {"assignee": [_("Choose someone who can handle cases of this grid.")]}
                )
        return self._act(lambda: workflow.assign(case, assignee, request.user)) or self._answer(
            request
        )

    @extend_schema(
        summary=gettext_lazy("Reply to the resident or add a staff note"),
        request={
            "application/json": s.CaseCommentSerializer,
            "multipart/form-data": s.CaseCommentSerializer,
        },
        responses={201: s.CaseEventSerializer, 400: OpenApiResponse(), 403: OpenApiResponse()},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[SafeJSONParser, CleanMultiPartParser, CleanFormParser],
    )
    def comment(self, request, reference=None):
        case = self.get_object()
        body = s.CaseCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data.get("file")
        if upload is not None and workflow.may_work_on(request.user, case):
            try:
                uploads.validate_upload(upload)
            except DjangoValidationError as exc:
                raise exceptions.ValidationError({"file": list(exc.messages)}) from exc
        made = {}

        def change():
            made["event"] = workflow.comment(
                case,
                request.user,
                body.validated_data.get("text", ""),
                public=body.validated_data["public"],
                files=[upload] if upload is not None else [],
            )

        refused = self._act(change)
        if refused is not None:
            return refused
        event = CaseEvent.objects.select_related("actor").get(pk=made["event"].pk)
        return Response(
            s.CaseEventSerializer(event, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=gettext_lazy("Record the follow-up (回访)"),
        description=gettext_lazy(
            "Of a resolved case: settled closes it with the resident's satisfaction "
            "(1–5); unsettled sends it back to work."
        ),
        request=s.CaseFollowUpSerializer,
        responses={200: s.CaseDetailSerializer, 400: OpenApiResponse(), 403: OpenApiResponse()},
    )
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, reference=None):
        case = self.get_object()
        body = s.CaseFollowUpSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._act(
            lambda: workflow.follow_up(
                case,
                request.user,
                settled=body.validated_data["settled"],
                satisfaction=body.validated_data.get("satisfaction"),
                note=body.validated_data.get("note", ""),
            )
        ) or self._answer(request)

    @extend_schema(
        summary=gettext_lazy("An attachment's file"),
        request=None,
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        url_name="attachment",
    )
    def attachment(self, request, reference=None, attachment_id=None):
        case = get_object_or_404(visible_cases(request.user), reference=reference)
        attachment = get_object_or_404(CaseAttachment, case=case, pk=attachment_id)
        return protected_file_response(attachment.file, attachment.name)

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset  # filters narrow the list only
        return super().filter_queryset(queryset)


class OneObjectSchema(AutoSchema):
    """drf-spectacular documents a viewset's ``list`` as an array; the figures are one
    object (``figures.Figures.as_dict()``), and the schema says so."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


@extend_schema(tags=["services"])
class FiguresViewSet(viewsets.GenericViewSet):
    """How the cases the user may see are handled: counts, timeliness, satisfaction."""

    schema = OneObjectSchema()
    grid_scope = Scope.GRID  # computed over visible_cases only
    permission_classes = [RolePermissions]
    queryset = Case.objects.none()
    serializer_class = s.CaseFiguresQuerySerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary=gettext_lazy("Figures of the cases you may see"),
        description=gettext_lazy(
            "Over the cases filed from start to end (local dates, both optional)."
        ),
        parameters=[s.CaseFiguresQuerySerializer],
        responses={200: s.CaseFiguresSerializer},
    )
    def list(self, request):
        query = s.CaseFiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        from .. import figures

        result = figures.compute(
            visible_cases(request.user),
            start=query.validated_data.get("start"),
            end=query.validated_data.get("end"),
        )
        return Response(result.as_dict())


#: (URL prefix under /api/, viewset, basename) for anju.api.urls to register.
ROUTES = (
    ("services/forms", ServiceFormViewSet, "services-form"),
    ("services/track", TrackViewSet, "services-track"),
    ("services/my-cases", MyCaseViewSet, "services-my-case"),
    ("services/cases", CaseViewSet, "services-case"),
    ("services/figures", FiguresViewSet, "services-figures"),
)
