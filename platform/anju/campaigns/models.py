"""Campaigns, their rounds, the materialised targets and the answers to them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedJSONField

from anju.community.models import Building, Community, Grid, Household, Resident, SpecialGroup


class Kind(models.TextChoices):
    SAFETY = "safety", _("Safety check")
    PUBLICITY = "publicity", _("Policy publicity")
    CERTIFICATION = "certification", _("Certification on residents' behalf")
    REVIEW = "review", _("Eligibility review")
    CARE = "care", _("Care visit")
    OTHER = "other", _("Other")


class Recurrence(models.TextChoices):
    NONE = "none", _("Once")
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every quarter")
    YEARLY = "yearly", _("Every year")
    SEASON = "season", _("Every year, in a season")


class TargetKind(models.TextChoices):
    HOUSEHOLD = "household", _("Households")
    RESIDENT = "resident", _("Residents")


class HouseholdFlag(models.TextChoices):
    ANY = "", _("Any household")
    SINGLE = "single", _("One registered resident (living alone)")
    ALL_ELDERLY = "all_elderly", _("Every resident aged 60 or more (empty nest)")
    WITH_CHILD = "with_child", _("A child under 18 lives there")


class Campaign(models.Model):
    """A door-to-door programme (专项走访): who must be reached, with which checklist,
    how often. The rule fields combine with AND; special groups match any of those
    chosen. Each period of the campaign is a ``Round``."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns_run",
        verbose_name=_("run by"),
    )
    checklist = models.ForeignKey(
        "services.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("checklist"),
        help_text=_(
            "A form built under Cases → Service forms (close it for requests so residents "
            "do not see it). Each answer keeps the version it was given under."
        ),
    )
    case_service = models.ForeignKey(
        "services.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service of cases opened from answers"),
        help_text=_("For example a hazard report or a hardship request."),
    )
    recurrence = models.CharField(
        _("recurrence"), max_length=10, choices=Recurrence.choices, default=Recurrence.NONE
    )
    starts_on = models.DateField(_("first round starts"), default=timezone.localdate)
    round_days = models.PositiveSmallIntegerField(
        _("days per round"),
        default=30,
        help_text=_("The round is due this many days after it starts."),
    )
    # --- the target rule -------------------------------------------------------------
    target_kind = models.CharField(
        _("targets are"), max_length=10, choices=TargetKind.choices, default=TargetKind.HOUSEHOLD
    )
    rule_groups = models.ManyToManyField(
        SpecialGroup,
        blank=True,
        related_name="+",
        verbose_name=_("special groups"),
        help_text=_("Anyone in one of these groups (for households: a resident in one)."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("aged at least"),
        null=True,
        blank=True,
        help_text=_("From the birth date on the ID number."),
    )
    max_age = models.PositiveSmallIntegerField(_("aged at most"), null=True, blank=True)
    rule_grids = models.ManyToManyField(
        Grid, blank=True, related_name="+", verbose_name=_("only these grids")
    )
    rule_buildings = models.ManyToManyField(
        Building, blank=True, related_name="+", verbose_name=_("only these buildings")
    )
    household_flag = models.CharField(
        _("household"), max_length=20, choices=HouseholdFlag.choices, blank=True, default=""
    )
    plugin_rule = models.CharField(
        _("rule contributed by a plugin"),
        max_length=100,
        blank=True,
        help_text=_("Combined with the choices above."),
    )
    is_active = models.BooleanField(
        _("running"), default=True, help_text=_("New rounds start only while it runs.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "title"]
        permissions = [
            ("run_campaign", _("Can start, refresh and close rounds")),
            ("export_campaign", _("Can export campaign outcomes")),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValidationError({"max_age": _("The upper age is below the lower one.")})
        if not self.round_days:
            raise ValidationError({"round_days": _("A round lasts at least one day.")})


class Round(models.Model):
    """One period of a campaign, with its materialised target list."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("campaign")
    )
    number = models.PositiveIntegerField(_("round"))
    starts_on = models.DateField(_("starts"))
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    materialised_at = models.DateTimeField(_("target list made"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The overdue sweep: first the grid workers are told, a day later the committee.
    workers_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    committee_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["campaign_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="round_number_unique"),
            models.UniqueConstraint(fields=["campaign", "starts_on"], name="round_start_unique"),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("starts_on")), name="round_due_after_start"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="round_status_due")]

    def __str__(self):
        return f"{self.campaign} · {self.starts_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())


class Outcome(models.TextChoices):
    PENDING = "pending", _("Not reached yet")
    DONE = "done", _("Done")
    NOT_HOME = "not_home", _("Not at home (to revisit)")
    REFUSED = "refused", _("Refused")
    MOVED_OUT = "moved_out", _("Moved out")
    FOLLOW_UP = "follow_up", _("Needs follow-up")


#: Outcomes a grid worker can record (PENDING is only the state before any answer).
ANSWER_OUTCOMES = [c for c in Outcome.choices if c[0] != Outcome.PENDING]
#: A target with one of these still owes a visit.
DUE_OUTCOMES = (Outcome.PENDING, Outcome.NOT_HOME, Outcome.FOLLOW_UP)


class TargetQuerySet(models.QuerySet):
    def walking_order(self):
        """By building, unit, floor and room: the order a grid worker walks them."""
        return self.order_by("building_order", "building_name", "unit", "floor", "room", "pk")


class Target(models.Model):
    """One household (or resident) a round must reach. The address, grid and name are
    copied when the list is made: a household that leaves the register keeps its row."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="targets", verbose_name=_("round")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_targets",
        verbose_name=_("household"),
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_targets",
        verbose_name=_("resident"),
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_targets",
        verbose_name=_("grid"),
    )
    # Snapshots, as the register read when the list was made.
    grid_name = models.CharField(_("grid"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    resident_name = models.CharField(_("resident"), max_length=50, blank=True)
    building_order = models.PositiveSmallIntegerField(default=0)
    building_name = models.CharField(max_length=50, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    floor = models.SmallIntegerField(default=0)
    room = models.CharField(max_length=20, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_targets",
        verbose_name=_("assignee"),
    )
    # The latest answer's outcome, kept here so progress is one grouped query.
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # False once a refresh finds it no longer matches the rule (and it was never
    # answered): it leaves the progress figures but keeps its row.
    active = models.BooleanField(_("in the list"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TargetQuerySet.as_manager()

    grid_path = "grid"

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["round_id", "building_order", "building_name", "unit", "floor", "room", "pk"]
        permissions = [("reassign_target", _("Can reassign campaign targets"))]
        indexes = [
            models.Index(fields=["round", "grid", "outcome"], name="target_round_grid"),
            models.Index(fields=["assignee", "outcome"], name="target_assignee_outcome"),
            models.Index(fields=["household", "round"], name="target_household_round"),
        ]

    def __str__(self):
        who = f" {self.resident_name}" if self.resident_name else ""
        return f"{self.address}{who}"

    @property
    def is_due(self) -> bool:
        return self.active and self.outcome in DUE_OUTCOMES


class TargetAnswer(models.Model):
    """A grid worker's answer to one target: the checklist as filled in (under the
    version it was given), the outcome, and what it led to (a case, a visit)."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="answers", verbose_name=_("target")
    )
    version = models.ForeignKey(
        "services.FormVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaign_answers",
        verbose_name=_("checklist version"),
    )
    data = EncryptedJSONField(_("answers"), default=dict)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ANSWER_OUTCOMES)
    note = models.TextField(_("note"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="campaign_answers",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)
    case = models.ForeignKey(
        "services.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_answers",
        verbose_name=_("case opened"),
    )
    visit = models.ForeignKey(
        "community.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_answers",
        verbose_name=_("visit recorded"),
    )

    grid_path = "target__grid"

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["target_id", "answered_at", "pk"]

    def __str__(self):
        return f"{self.target} · {self.get_outcome_display()}"

    @cached_property
    def answers(self) -> list[tuple[str, str]]:
        """(label, value) for each field of the version it was given under: a later
        change of the checklist never changes how this answer reads."""
        from anju.services.fieldtypes import display_value

        if self.version is None:
            return []
        return [
            (field["label"], display_value(field, self.data.get(field["name"])))
            for field in self.version.fields
        ]
