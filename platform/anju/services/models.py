"""Services, their form versions, and cases with their timeline and attachments."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page
from wagtail.search import index

from anju.community.idnumbers import mask_phone
from anju.community.models import Community, Grid, Household, Township
from anju.core.fields import TypedEncryptedJSONField

from .fieldtypes import FieldType


class HandlerRole(models.TextChoices):
    """Who handles a service's cases by default."""

    GRID_WORKER = "grid_worker", _("Grid worker of the requester's grid")
    COMMITTEE = "committee", _("Committee member of the requester's grid")
    SERVICE_STAFF = "service_staff", _("Service staff")
    # The one-stop service station (便民服务站): the desk of the township where the
    # requester's household is registered (户籍地), else of the community's township.
    TOWNSHIP = "township", _("Service desk of the requester's township (户籍地)")


class Service(ClusterableModel):
    """One kind of request residents make: a form (built here by staff, or defined in a
    plugin's code) and the rules its cases follow."""

    class Kind(models.TextChoices):
        BUILT = "built", _("Built in the admin")
        CODE = "code", _("Defined by a plugin")

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("community"),
        help_text=_("Leave empty to offer it in every community."),
    )
    title = models.CharField(_("title"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=False)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.BUILT, editable=False
    )
    plugin = models.CharField(_("plugin"), max_length=100, blank=True, editable=False)
    handler_role = models.CharField(
        _("handled by"), max_length=20, choices=HandlerRole.choices, default=HandlerRole.GRID_WORKER
    )
    accept_hours = models.PositiveIntegerField(
        _("hours to accept"), default=24, help_text=_("For example 24 for one day.")
    )
    resolve_hours = models.PositiveIntegerField(
        _("hours to resolve"), default=72, help_text=_("For example 72 for three days.")
    )
    allow_anonymous = models.BooleanField(_("residents may file without an account"), default=True)
    is_active = models.BooleanField(_("open for requests"), default=True)
    current_version = models.ForeignKey(
        "FormVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("title"), FieldPanel("slug"), FieldPanel("description")],
            heading=_("Form"),
        ),
        InlinePanel("form_fields", heading=_("Fields"), label=_("field")),
        MultiFieldPanel(
            [
                FieldPanel("community"),
                FieldPanel("handler_role"),
                FieldPanel("accept_hours"),
                FieldPanel("resolve_hours"),
                FieldPanel("allow_anonymous"),
                FieldPanel("is_active"),
            ],
            heading=_("Handling"),
        ),
    ]

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["title"]
        permissions = [
            ("file_on_behalf", _("Can file a request on a resident's behalf")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plugin", "slug"], condition=Q(kind="code"), name="one_row_per_code_form"
            )
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the reader's language: a plugin's form is titled by its code
        (the row keeps the title in whichever language first used it)."""
        if self.kind == self.Kind.CODE:
            from . import codeforms
            from .submission import code_slug

            for (plugin, slug), spec in codeforms.registered().items():
                if plugin == self.plugin and code_slug(plugin, slug) == self.slug:
                    return str(spec.title)
        return self.title

    def schema(self) -> list[dict]:
        """The built form's fields as stored in a FormVersion."""
        return [f.as_schema() for f in self.form_fields.all()]

    def snapshot(self, user=None, schema: list[dict] | None = None) -> FormVersion:
        """Make the current fields a new version if they differ from the current one.

        Cases point at the version they were filed under, so editing a form never
        changes how an earlier submission reads.
        """
        schema = self.schema() if schema is None else schema
        digest = FormVersion.digest_of(schema)
        current = self.current_version
        if current is not None and current.digest == digest:
            return current
        existing = self.versions.filter(digest=digest).order_by("-number").first()
        if existing is None:
            number = (self.versions.aggregate(n=models.Max("number"))["n"] or 0) + 1
            existing = FormVersion.objects.create(
                service=self, number=number, fields=schema, digest=digest, created_by=user
            )
        Service.objects.filter(pk=self.pk).update(current_version=existing)
        self.current_version = existing
        return existing


class ServiceField(Orderable):
    """One field of a form staff build (low-code)."""

    service = ParentalKey(Service, on_delete=models.CASCADE, related_name="form_fields")
    key = models.SlugField(
        _("key"),
        max_length=40,
        blank=True,
        help_text=_("Filled in automatically; keeps answers matched when the label changes."),
    )
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    required = models.BooleanField(_("required"), default=True)
    help_text = models.CharField(_("help text"), max_length=255, blank=True)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For single and multiple choice: one per line.")
    )

    panels = [
        FieldPanel("label"),
        FieldPanel("field_type"),
        FieldPanel("required"),
        FieldPanel("help_text"),
        FieldPanel("choices"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        if not self.key:
            import secrets

            self.key = f"f_{secrets.token_hex(4)}"
        super().save(*args, **kwargs)

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def as_schema(self) -> dict:
        if not self.key:
            import secrets

            self.key = f"f_{secrets.token_hex(4)}"
        return {
            "name": self.key,
            "label": self.label,
            "type": self.field_type,
            "required": self.required,
            "help_text": self.help_text,
            "choices": self.choice_list(),
        }


class FormVersion(models.Model):
    """A frozen list of a service's fields. Never edited once made."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    fields = models.JSONField(_("fields"), default=list)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["service_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="form_version_number")
        ]

    def __str__(self):
        return f"{self.service} v{self.number}"

    @staticmethod
    def digest_of(schema: list[dict]) -> str:
        text = json.dumps(schema, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


#: Statuses of a case someone still has to act on (SLA clocks run).
OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.ESCALATED)
#: Statuses after which the resident's matter has been dealt with.
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


class Level(models.TextChoices):
    GRID = "grid", _("Grid")
    COMMUNITY = "community", _("Community")


def overdue_q(now) -> Q:
    """The overdue rule, the one place it is written: a submitted case not accepted by
    its ``accept_due``, or an open case not resolved by its ``resolve_due``. A Q, so
    the inbox can count it, the SLA sweep select by it and any list filter with it;
    ``Case.is_overdue`` is the same rule for one loaded row."""
    return Q(status=Status.SUBMITTED, accept_due__lt=now) | Q(
        status__in=OPEN_STATUSES, resolve_due__lt=now
    )


class CaseQuerySet(models.QuerySet):
    def overdue(self, now=None):
        return self.filter(overdue_q(now or timezone.now()))

    def for_lists(self):
        """What every case list shows, in a constant number of queries."""
        return self.select_related(
            "service", "grid", "household__building", "assignee", "community", "township"
        )


class Case(models.Model):
    """One resident request (办件), from submission to follow-up."""

    reference = models.CharField(_("reference number"), max_length=12, unique=True)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="cases", verbose_name=_("service")
    )
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="cases")
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="cases", verbose_name=_("community")
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("grid"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("household"),
    )
    # The township service desk the case was routed to on filing (services handled by
    # the township only): its desk staff see the case (anju.services.visibility).
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desk_cases",
        verbose_name=_("township service desk"),
    )
    requester_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requested_cases",
        verbose_name=_("requester's account"),
    )
    requester_name = models.CharField(_("requester"), max_length=50)
    requester_phone = EncryptedCharField(_("phone"), max_length=20)
    # The last four digits in clear: residents track a case by reference plus these.
    phone_last4 = models.CharField(max_length=4, editable=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="filed_cases",
        verbose_name=_("filed by"),
    )
    on_behalf = models.BooleanField(_("filed on the resident's behalf (代办)"), default=False)
    data = TypedEncryptedJSONField(_("answers"), default=dict)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.GRID)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
    )
    accept_due = models.DateTimeField(_("accept by"))
    resolve_due = models.DateTimeField(_("resolve by"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    sla_breached = models.BooleanField(_("SLA breached"), default=False)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    settled = models.BooleanField(_("settled, says the resident"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    # NULL, not "", when absent: the unique constraint applies only to real keys.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    created_at = models.DateTimeField(_("filed"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    grid_path = "grid"

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("assign_case", _("Can assign cases")),
            ("export_case", _("Can export cases")),
            ("handle_service_staff_cases", _("Handles cases of services run by service staff")),
        ]
        indexes = [
            models.Index(fields=["status", "level", "resolve_due"], name="case_sla"),
            models.Index(fields=["grid", "status"], name="case_grid_status"),
            models.Index(fields=["assignee", "status"], name="case_assignee_status"),
            models.Index(fields=["community", "created_at"], name="case_community_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="case_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="case_satisfaction_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.reference} · {self.service}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.requester_phone)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        """``overdue_q`` for this row, without a query."""
        now = now or timezone.now()
        if self.status == Status.SUBMITTED and self.accept_due < now:
            return True
        return self.is_open and self.resolve_due < now

    def sla_state(self, now=None) -> str:
        """ "overdue", "due_soon" (within a quarter of the allowed time) or "ok" — the
        colour staff see in the inbox; "done" once resolved."""
        if not self.is_open:
            return "done"
        now = now or timezone.now()
        if self.is_overdue(now):
            return "overdue"
        due = self.accept_due if self.status == Status.SUBMITTED else self.resolve_due
        window = max((due - self.created_at).total_seconds(), 1)
        return "due_soon" if (due - now).total_seconds() < window / 4 else "ok"

    @property
    def answers(self) -> list[tuple[str, str]]:
        """(label, how the answer reads) for each field of the version it was filed
        under, in the active language (``fieldtypes.answer_rows`` for the typed values)."""
        from .fieldtypes import answer_rows

        return [(row["label"], row["display"]) for row in answer_rows(self)]


def record_text(message) -> str:
    """A system entry's text for the timeline (``message``: a ``gettext_lazy`` string),
    in the installation's language: the timeline is a record, so what it says must not
    depend on the language of whichever request or worker wrote it."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return str(message)


class CaseEvent(models.Model):
    """One entry in a case's timeline: who did what, when."""

    class Kind(models.TextChoices):
        FILED = "filed", _("Filed")
        STATUS = "status", _("Status changed")
        COMMENT = "comment", _("Comment")
        ASSIGNED = "assigned", _("Assigned")
        ATTACHMENT = "attachment", _("Attachment")
        ESCALATED = "escalated", _("Escalated")
        FOLLOW_UP = "follow_up", _("Follow-up")
        OVERDUE = "overdue", _("Overdue")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    text = models.TextField(_("text"), blank=True)
    # Public entries are what the resident sees when tracking; staff notes are not.
    public = models.BooleanField(_("visible to the resident"), default=False)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="case_event_case_time")]

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename: str) -> str:
    from .uploads import upload_path

    return upload_path("cases", filename)


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    field = models.CharField(max_length=40, blank=True)  # the form field it answered
    public = models.BooleanField(_("visible to the resident"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.name


class ServiceFormPage(Page):
    """Publishes a staff-built service form on the portal."""

    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        related_name="pages",
        verbose_name=_("service"),
    )
    intro = models.TextField(_("introduction"), blank=True)
    thank_you = models.TextField(
        _("after submitting"),
        blank=True,
        help_text=_("Shown with the reference number once a resident has submitted."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("service"),
        FieldPanel("intro"),
        FieldPanel("thank_you"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["portal.HomePage", "portal.StandardPage"]
    subpage_types: list[str] = []
    template = "anju_services/service_form_page.html"

    class Meta:
        verbose_name = _("service form page")
        verbose_name_plural = _("service form pages")

    def serve(self, request, *args, **kwargs):
        from .views import serve_form_page

        return serve_form_page(self, request)


class CaseConsent(models.Model):
    """Proof that the resident agreed to a case filed on their behalf (代办): the code
    sent by SMS to their phone that they read back to the staff member, or a photo of
    the authorisation they signed (kept as a staff-only attachment of the case); for a
    case the resident asked for in person at a visit (a campaign's, or a grid worker's
    round), the visit itself. Recorded by anju.services.consent when the case is filed."""

    class Method(models.TextChoices):
        SMS_CODE = "sms_code", _("code sent by SMS, read back by the resident")
        SIGNED_PHOTO = "signed_photo", _("photo of a signed authorisation")
        # Asked for in person by the resident, during a visit (a campaign's, 专项走访, or
        # a grid worker's round, 入户走访): the visit is the record. Never chosen on a
        # filing form.
        AT_VISIT = "at_visit", _("asked for in person at a visit")

    #: The ways a filing form (admin, API) offers: proof the resident gives then.
    FILING_METHODS = (Method.SMS_CODE, Method.SIGNED_PHOTO)

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="consent", verbose_name=_("case")
    )
    method = models.CharField(_("how the resident agreed"), max_length=20, choices=Method.choices)
    # The phone the code went to, masked (the case holds the whole number, encrypted).
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    attachment = models.ForeignKey(
        CaseAttachment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed authorisation"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("consent to filing on behalf")
        verbose_name_plural = _("consents to filing on behalf")

    def __str__(self):
        return f"{self.case} · {self.get_method_display()}"
