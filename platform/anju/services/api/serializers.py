"""Serializers of the services API.

Residents' views (tracking, their own cases) read only what is public: the status, the
rejection reason, public timeline entries and the names of public attachments. Staff
views read the whole case but never the whole phone number (``masked_phone``).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Case, CaseAttachment, CaseConsent, CaseEvent, Level, Status
from ..submission import format_reference
from ..workflow import ACTION_LABELS, allowed_targets


def person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


class CasePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


# --- forms residents file ------------------------------------------------------------


class ServiceFormChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class ServiceFormFieldSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("The key to send the answer under."))
    label = serializers.CharField()
    type = serializers.CharField(
        help_text=_(
            "text, long_text, number, date (YYYY-MM-DD), choice, multiple_choice (a list), "
            "phone, id_number, file (send the request as multipart/form-data) or "
            "household (a household's id)."
        )
    )
    required = serializers.BooleanField()
    help_text = serializers.CharField(allow_blank=True)
    choices = ServiceFormChoiceSerializer(
        many=True,
        help_text=_(
            "For choice and multiple choice; for household, the households the signed-in "
            "user may choose (none for residents without an account)."
        ),
    )
    accept = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_("For file: the file name endings accepted."),
    )
    max_bytes = serializers.IntegerField(
        required=False, help_text=_("For file: the largest file accepted, in bytes.")
    )


class ServiceFormSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    allow_anonymous = serializers.BooleanField(
        help_text=_("Whether residents without an account may file it.")
    )
    fields = ServiceFormFieldSerializer(many=True)


class ServiceSubmitSerializer(serializers.Serializer):
    """For the schema only: the answers are checked by the service's own form."""

    requester_name = serializers.CharField(max_length=50)
    requester_phone = serializers.CharField(max_length=20)
    building = serializers.IntegerField(
        required=False,
        help_text=_(
            "The id of the requester's building (GET /api/community/buildings/ for staff; "
            "the portal form lists them): it puts the case in the building's grid."
        ),
    )
    room = serializers.CharField(
        required=False, help_text=_("Unit and room, e.g. 2单元301: finds the household.")
    )
    on_behalf_household = serializers.IntegerField(
        required=False,
        help_text=_(
            "Staff filing on a resident's behalf (代办): the id of the resident's household, "
            "one of the staff member's own grids. The case records who filed it."
        ),
    )
    consent_method = serializers.ChoiceField(
        choices=[(m.value, m.label) for m in CaseConsent.FILING_METHODS],
        required=False,
        help_text=_(
            "Required with on_behalf_household: how the resident agreed — sms_code (the "
            "code from POST forms/<slug>/consent-code/ that they read back) or "
            "signed_photo (a photo of the authorisation they signed)."
        ),
    )
    consent_code = serializers.CharField(
        max_length=6,
        required=False,
        help_text=_("With sms_code: the code the resident read back (sent to requester_phone)."),
    )
    consent_photo = serializers.FileField(
        required=False,
        help_text=_("With signed_photo: the photo or PDF (send multipart/form-data)."),
    )
    idempotency_key = serializers.CharField(
        max_length=64,
        required=False,
        help_text=_(
            "Or the Idempotency-Key header. Sending the same key again (same requester) "
            "answers the case the first request made instead of making another."
        ),
    )
    answers = serializers.DictField(
        required=False,
        help_text=_(
            "Not a real field: send each answer at the top level, under its field's name "
            "(see GET /api/services/forms/)."
        ),
    )


class ConsentCodeSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20, help_text=_("The resident's mobile number."))


class ConsentCodeSentSerializer(serializers.Serializer):
    phone_masked = serializers.CharField()
    detail = serializers.CharField()


class ServiceSubmittedSerializer(serializers.ModelSerializer):
    reference_display = serializers.SerializerMethodField()
    service = serializers.CharField(source="service.slug")
    service_title = serializers.CharField(source="service.display_title")
    status_label = serializers.CharField(source="get_status_display")
    tracking = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "reference",
            "reference_display",
            "service",
            "service_title",
            "status",
            "status_label",
            "created_at",
            "tracking",
        ]
        read_only_fields = fields

    def get_reference_display(self, case) -> str:
        return format_reference(case.reference)

    def get_tracking(self, case) -> str:
        return str(
            _(
                "Keep the reference number %(reference)s: with it and the last four digits "
                "of your mobile number you can follow your request."
            )
        ) % {"reference": format_reference(case.reference)}


class CaseAnswerSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField(help_text=_("In the language the request asks for."))
    type = serializers.CharField()
    value = serializers.JSONField(
        allow_null=True,
        help_text=_(
            "As filed, with its type: a number, true/false, a date as YYYY-MM-DD, a "
            "choice's code, a list for multiple choice, an object for a household or file."
        ),
    )
    display = serializers.CharField(
        allow_blank=True, help_text=_("How the answer reads, in the request's language.")
    )


# --- what residents see of a case ----------------------------------------------------


class CasePublicEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.CharField(
        source="to_status", help_text=_("The status it moved to, if any.")
    )
    status_label = serializers.CharField(source="get_to_status_display")

    class Meta:
        model = CaseEvent
        fields = ["kind", "kind_label", "status", "status_label", "text", "created_at"]
        read_only_fields = fields


class CasePublicAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseAttachment
        fields = ["name"]
        read_only_fields = fields


class PublicCaseSerializer(serializers.ModelSerializer):
    """A case as the resident who filed it sees it: nothing staff keep to themselves."""

    reference_display = serializers.SerializerMethodField()
    service = serializers.CharField(source="service.slug")
    service_title = serializers.CharField(source="service.display_title")
    status_label = serializers.CharField(source="get_status_display")
    rejection_reason = serializers.SerializerMethodField()
    events = CasePublicEventSerializer(source="public_events", many=True)
    attachments = CasePublicAttachmentSerializer(source="public_attachments", many=True)

    class Meta:
        model = Case
        fields = [
            "reference",
            "reference_display",
            "service",
            "service_title",
            "status",
            "status_label",
            "rejection_reason",
            "created_at",
            "events",
            "attachments",
        ]
        read_only_fields = fields

    def get_reference_display(self, case) -> str:
        return format_reference(case.reference)

    def get_rejection_reason(self, case) -> str:
        return case.rejection_reason if case.status == Status.REJECTED else ""


class OwnCaseSerializer(PublicCaseSerializer):
    """A signed-in resident's own case: also what they asked. (Tracking by reference
    number and four digits never shows the answers: those two are easy to come by.)"""

    answers = serializers.SerializerMethodField()

    class Meta(PublicCaseSerializer.Meta):
        fields = PublicCaseSerializer.Meta.fields + ["answers"]
        read_only_fields = fields

    @extend_schema_field(CaseAnswerSerializer(many=True))
    def get_answers(self, case):
        """What they asked, in the request's language; phone numbers masked."""
        from ..fieldtypes import answer_rows

        return answer_rows(case, mask_phones=True)


class CaseTrackSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=20, help_text=_("Spaces are ignored."))
    phone_last4 = serializers.CharField(max_length=4, min_length=4)


# --- what staff see of a case --------------------------------------------------------


class CaseGridSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


#: What ``get_status_display()`` and ``get_level_display()`` answer (lazy, translated when
#: read), without building the choices' dictionary again for every row as they do.
_STATUS_LABELS = dict(Status.choices)
_LEVEL_LABELS = dict(Level.choices)


class CaseTownshipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CaseListSerializer(serializers.ModelSerializer):
    reference_display = serializers.SerializerMethodField()
    service = serializers.CharField(source="service.slug")
    service_title = serializers.CharField(source="service.display_title")
    status_label = serializers.CharField(source="get_status_display")
    level_label = serializers.CharField(source="get_level_display")
    grid = serializers.SerializerMethodField()
    township = serializers.SerializerMethodField(
        label=_("township service desk"),
        help_text=_(
            "The township service desk (便民服务站) the case was routed to when filed: "
            "services handled by a township only; null for the others."
        ),
    )
    household = serializers.IntegerField(source="household_id", allow_null=True)
    address = serializers.SerializerMethodField()
    requester_phone_masked = serializers.CharField(
        source="masked_phone", help_text=_("The whole number is never sent.")
    )
    assignee = serializers.SerializerMethodField()
    sla_state = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    #: The columns the list reads (``queryset``): not the answers (``data``, decrypted
    #: and parsed for every row otherwise) nor anything else the page does not show.
    LIST_COLUMNS = (
        "reference",
        "service__slug",
        "service__title",
        "service__kind",
        "service__plugin",
        "status",
        "level",
        "grid__name",
        "township__name",
        "household__unit",
        "household__room",
        "household__building__name",
        "requester_name",
        "requester_phone",
        "on_behalf",
        "assignee__username",
        "assignee__first_name",
        "assignee__last_name",
        "created_at",
        "accept_due",
        "resolve_due",
        "sla_breached",
    )

    @classmethod
    def queryset(cls):
        """Cases with what the list shows joined, and only that."""
        return Case.objects.select_related(
            "service", "grid", "township", "household__building", "assignee"
        ).only(*cls.LIST_COLUMNS)

    class Meta:
        model = Case
        fields = [
            "reference",
            "reference_display",
            "service",
            "service_title",
            "status",
            "status_label",
            "level",
            "level_label",
            "grid",
            "township",
            "household",
            "address",
            "requester_name",
            "requester_phone_masked",
            "on_behalf",
            "assignee",
            "created_at",
            "accept_due",
            "resolve_due",
            "sla_state",
            "overdue",
            "sla_breached",
        ]
        read_only_fields = fields

    def to_representation(self, case):
        """One row of the list, written out field by field in ``Meta.fields`` order.

        The same values DRF's generic path makes from the fields declared above (they
        stay the schema's description, and ``CaseDetailSerializer`` still goes the
        generic way; tests/platform/services/test_api_staff.py compares the two): that
        path asked ``inspect.signature`` of every ``get_…_display`` (which then built
        the choices' dictionary anew) and looked up the time zone for every date: most
        of the CPU of a page of 50 cases."""
        tz = self._timezone()
        service = case.service
        return {
            "reference": case.reference,
            "reference_display": format_reference(case.reference),
            "service": service.slug,
            "service_title": str(service.display_title),
            "status": str(case.status),
            "status_label": str(_STATUS_LABELS.get(case.status, case.status)),
            "level": str(case.level),
            "level_label": str(_LEVEL_LABELS.get(case.level, case.level)),
            "grid": self.get_grid(case),
            "township": self.get_township(case),
            "household": case.household_id,
            "address": self.get_address(case),
            "requester_name": case.requester_name,
            "requester_phone_masked": case.masked_phone,
            "on_behalf": bool(case.on_behalf),
            "assignee": self.get_assignee(case),
            "created_at": self._datetime("created_at", case.created_at, tz),
            "accept_due": self._datetime("accept_due", case.accept_due, tz),
            "resolve_due": self._datetime("resolve_due", case.resolve_due, tz),
            "sla_state": self.get_sla_state(case),
            "overdue": self.get_overdue(case),
            "sla_breached": bool(case.sla_breached),
        }

    def _timezone(self):
        tz = self.context.get("_timezone")
        if tz is None:
            tz = self.context["_timezone"] = timezone.get_current_timezone()
        return tz

    def _datetime(self, name, value, tz):
        """As DRF's DateTimeField writes it: ISO 8601 in the current time zone, UTC as Z."""
        if value is None:
            return None
        if timezone.is_naive(value):
            return self.fields[name].to_representation(value)
        text = value.astimezone(tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def _now(self):
        now = self.context.get("now")
        if now is None:
            now = self.context["now"] = timezone.now()
        return now

    def get_reference_display(self, case) -> str:
        return format_reference(case.reference)

    @extend_schema_field(CaseGridSerializer(allow_null=True))
    def get_grid(self, case):
        return {"id": case.grid.pk, "name": case.grid.name} if case.grid else None

    @extend_schema_field(CaseTownshipSerializer(allow_null=True))
    def get_township(self, case):
        township = case.township
        return {"id": township.pk, "name": township.name} if township else None

    def get_address(self, case) -> str:
        return case.household.address if case.household else ""

    @extend_schema_field(CasePersonSerializer(allow_null=True))
    def get_assignee(self, case):
        return person(case.assignee)

    @extend_schema_field(serializers.ChoiceField(choices=["ok", "due_soon", "overdue", "done"]))
    def get_sla_state(self, case) -> str:
        return case.sla_state(self._now())

    def get_overdue(self, case) -> bool:
        return case.is_overdue(self._now())


class CaseEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    from_status_label = serializers.CharField(source="get_from_status_display")
    to_status_label = serializers.CharField(source="get_to_status_display")
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "kind",
            "kind_label",
            "from_status",
            "from_status_label",
            "to_status",
            "to_status_label",
            "text",
            "public",
            "actor",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CasePersonSerializer(allow_null=True))
    def get_actor(self, event):
        return person(event.actor)


class CaseAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CaseAttachment
        fields = ["id", "name", "size", "content_type", "field", "public", "created_at", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment) -> str:
        from django.urls import reverse

        path = reverse(
            "services-case-attachment",
            kwargs={"reference": attachment.case.reference, "attachment_id": attachment.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CaseTransitionOptionSerializer(serializers.Serializer):
    to = serializers.CharField()
    label = serializers.CharField()


class CaseActionsSerializer(serializers.Serializer):
    can_work = serializers.BooleanField()
    can_assign = serializers.BooleanField()
    transitions = CaseTransitionOptionSerializer(many=True)
    follow_up = serializers.BooleanField()


class CaseConsentSerializer(serializers.ModelSerializer):
    """The proof of the resident's consent to a case filed on their behalf (代办)."""

    method_label = serializers.CharField(source="get_method_display")
    phone_masked = serializers.CharField()
    recorded_by = serializers.SerializerMethodField()
    attachment = serializers.IntegerField(
        source="attachment_id",
        allow_null=True,
        help_text=_("The signed authorisation: an id among the case's attachments."),
    )

    class Meta:
        model = CaseConsent
        fields = [
            "method",
            "method_label",
            "phone_masked",
            "recorded_by",
            "recorded_at",
            "attachment",
        ]
        read_only_fields = fields

    @extend_schema_field(CasePersonSerializer(allow_null=True))
    def get_recorded_by(self, consent):
        return person(consent.recorded_by)


class CaseDetailSerializer(CaseListSerializer):
    version = serializers.IntegerField(source="version.number")
    answers = serializers.SerializerMethodField()
    events = CaseEventSerializer(many=True)
    attachments = CaseAttachmentSerializer(many=True)
    actions = serializers.SerializerMethodField()
    consent = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + [
            "version",
            "answers",
            "rejection_reason",
            "accepted_at",
            "escalated_at",
            "resolved_at",
            "closed_at",
            "settled",
            "satisfaction",
            "updated_at",
            "events",
            "attachments",
            "actions",
            "consent",
        ]
        read_only_fields = fields

    def to_representation(self, case):
        """DRF's generic path, field by field (one case: its cost does not matter)."""
        return serializers.ModelSerializer.to_representation(self, case)

    @extend_schema_field(CaseConsentSerializer(allow_null=True))
    def get_consent(self, case):
        """For a case filed on the resident's behalf: how they agreed (null otherwise,
        or when an older case has no record)."""
        if not case.on_behalf:
            return None
        try:
            consent = case.consent
        except CaseConsent.DoesNotExist:
            return None
        return CaseConsentSerializer(consent).data

    @extend_schema_field(CaseAnswerSerializer(many=True))
    def get_answers(self, case):
        """The answers as filed, read with the form version they were filed under."""
        from ..fieldtypes import answer_rows

        return answer_rows(case)

    @extend_schema_field(CaseActionsSerializer)
    def get_actions(self, case):
        """What the requesting user may do to the case now."""
        from .. import workflow

        request = self.context.get("request")
        user = getattr(request, "user", None)
        can_work = workflow.may_work_on(user, case)
        targets = allowed_targets(case) - {Status.CLOSED} if can_work else frozenset()
        return {
            "can_work": can_work,
            "can_assign": workflow.may_assign(user, case) and case.is_open,
            "transitions": [
                {"to": str(status), "label": str(ACTION_LABELS.get(status, status.label))}
                for status in Status
                if status in targets
            ],
            "follow_up": can_work and case.status == Status.RESOLVED,
        }


# --- staff actions -------------------------------------------------------------------


class CaseTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=[choice for choice in Status.choices if choice[0] != Status.CLOSED]
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("Shown to the resident: why it is rejected (required then) or escalated."),
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text=_("A staff-only note recorded with the change."),
    )


class CaseAssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(
        allow_null=True, help_text=_("The user's id; null to leave the case unassigned.")
    )


class CaseCommentSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    public = serializers.BooleanField(
        default=False, help_text=_("A reply the resident sees; otherwise a staff-only note.")
    )
    file = serializers.FileField(required=False, help_text=_("Send as multipart/form-data."))


class CaseFollowUpSerializer(serializers.Serializer):
    settled = serializers.BooleanField(
        help_text=_("The resident says the matter is settled: the case is closed.")
    )
    satisfaction = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=5
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class CaseFiguresQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


class CaseFiguresSerializer(serializers.Serializer):
    """For the schema: ``figures.Figures.as_dict()``."""

    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    filed = serializers.IntegerField()
    open = serializers.IntegerField()
    resolved = serializers.IntegerField()
    closed = serializers.IntegerField()
    rejected = serializers.IntegerField()
    escalated = serializers.IntegerField()
    sla_breaches = serializers.IntegerField()
    resolved_within_grid = serializers.IntegerField()
    resolved_within_grid_share = serializers.FloatField(allow_null=True)
    median_hours_to_resolve = serializers.FloatField(allow_null=True)
    average_satisfaction = serializers.FloatField(allow_null=True)
    by_grid = serializers.ListField(child=serializers.DictField())
    by_service = serializers.ListField(child=serializers.DictField())
    by_month = serializers.ListField(child=serializers.DictField())
