"""Disputes (矛盾纠纷): what the plugin keeps beside the services engine's case.

A dispute *is* a case of the services engine (reference number, assignee, SLA, timeline,
tracking by the resident); ``Dispute`` adds what mediation needs: the kind of dispute,
what happened and where, the risk, the parties, the mediation sessions, the escalation
beyond the engine's grid → community (to the township, or a judicial referral, 转交) and
how it ended. Screening rounds (排查) are per grid and month, recorded even when nothing
was found, so the committee sees which grids have not screened.

Every model here says how it reaches its grid (``grid_path``), so
``anju.permissions.scope.scope_queryset`` can narrow it like the core's own records.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from anju.community import mask_phone, validate_phone
from anju.services import upload_path


class DisputeType(models.TextChoices):
    FAMILY = "family", _("Family conflict")
    NEIGHBOUR = "neighbour", _("Neighbour quarrel")
    PROPERTY = "property", _("Property and repairs (e.g. a leak into the flat below)")
    WAGES = "wages", _("Unpaid wages")
    LAND = "land", _("Land or relocation")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class DisputeLevel(models.TextChoices):
    """Who is dealing with it: "small matters stay in the grid, big matters stay in the
    community" (小事不出网格，大事不出社区); beyond that it is handed over (转交)."""

    GRID = "grid", _("Grid")
    COMMUNITY = "community", _("Community")
    TOWNSHIP = "township", _("Township")
    JUDICIAL = "judicial", _("Judicial referral")


#: The one step each level may escalate to.
NEXT_LEVELS = {
    DisputeLevel.GRID: (DisputeLevel.COMMUNITY,),
    DisputeLevel.COMMUNITY: (DisputeLevel.TOWNSHIP, DisputeLevel.JUDICIAL),
    DisputeLevel.TOWNSHIP: (),
    DisputeLevel.JUDICIAL: (),
}
#: Levels outside the community: reaching one hands the dispute over (outcome "referred").
REFERRAL_LEVELS = (DisputeLevel.TOWNSHIP, DisputeLevel.JUDICIAL)


class Outcome(models.TextChoices):
    RESOLVED_IN_GRID = "resolved_grid", _("Resolved in the grid")
    RESOLVED_IN_COMMUNITY = "resolved_community", _("Resolved in the community")
    REFERRED = "referred", _("Referred")
    WITHDRAWN = "withdrawn", _("Withdrawn")


RESOLVED_OUTCOMES = (Outcome.RESOLVED_IN_GRID, Outcome.RESOLVED_IN_COMMUNITY)


class DisputeQuerySet(models.QuerySet):
    def for_lists(self):
        """What every list of disputes shows, in a constant number of queries."""
        return self.select_related(
            "case__grid", "case__household__building", "case__assignee", "case__service"
        )

    def open(self):
        return self.filter(outcome="")


class Dispute(models.Model):
    """One dispute (矛盾纠纷), a case of the services engine."""

    case = models.OneToOneField(
        "services.Case",
        on_delete=models.CASCADE,
        related_name="dispute",
        verbose_name=_("case"),
    )
    dispute_type = models.CharField(
        _("type of dispute"), max_length=20, choices=DisputeType.choices, default=DisputeType.OTHER
    )
    summary = models.TextField(_("what happened"))
    place = models.CharField(_("where"), max_length=200, blank=True)
    risk = models.CharField(
        _("risk"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    level = models.CharField(
        _("dealt with by"), max_length=20, choices=DisputeLevel.choices, default=DisputeLevel.GRID
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    visit = models.ForeignKey(
        "community.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disputes",
        verbose_name=_("found on the visit"),
    )
    resolved_at = models.DateTimeField(_("ended"), null=True, blank=True)
    follow_up_due = models.DateField(_("follow up on"), null=True, blank=True, db_index=True)
    followed_up_at = models.DateTimeField(_("followed up"), null=True, blank=True)
    relapses = models.PositiveSmallIntegerField(_("relapses"), default=0)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = DisputeQuerySet.as_manager()

    grid_path = "case__grid"

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.reference} · {self.get_dispute_type_display()}"

    @property
    def reference(self) -> str:
        from anju.services import format_reference

        return format_reference(self.case.reference)

    @property
    def is_open(self) -> bool:
        return not self.outcome

    @property
    def days_to_resolve(self) -> float | None:
        if self.resolved_at is None or self.outcome not in RESOLVED_OUTCOMES:
            return None
        return round((self.resolved_at - self.case.created_at).total_seconds() / 86400, 1)


class DisputeParty(models.Model):
    """One side of a dispute: a resident of the community, or someone from outside with a
    name and phone number (stored encrypted, shown masked)."""

    dispute = models.ForeignKey(
        Dispute, on_delete=models.CASCADE, related_name="parties", verbose_name=_("dispute")
    )
    # A resident who leaves the register stays a party by name (kept below).
    resident = models.ForeignKey(
        "community.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dispute_parties",
        verbose_name=_("resident"),
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    # null: the encrypted field stores an empty value as NULL.
    phone = EncryptedCharField(
        _("phone"), max_length=20, blank=True, null=True, validators=[validate_phone]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    grid_path = "dispute__case__grid"

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["dispute_id", "pk"]

    def __str__(self):
        return self.display_name

    def clean(self):
        if self.resident_id is None and not self.name.strip():
            raise ValidationError(_("Choose a resident or give the person's name."))

    @property
    def display_name(self) -> str:
        if self.resident_id:
            return self.resident.name
        return self.name

    @property
    def is_outsider(self) -> bool:
        return self.resident_id is None

    @property
    def masked_phone(self) -> str:
        phone = self.resident.phone if self.resident_id else self.phone
        return mask_phone(phone) if phone else ""


class DisputeEscalation(models.Model):
    """One step up: grid → community → township or judicial referral (转交), with why."""

    dispute = models.ForeignKey(
        Dispute, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("dispute")
    )
    from_level = models.CharField(_("from"), max_length=20, choices=DisputeLevel.choices)
    to_level = models.CharField(_("to"), max_length=20, choices=DisputeLevel.choices)
    reason = models.TextField(_("reason"))
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    escalated_at = models.DateTimeField(_("when"), default=timezone.now)

    grid_path = "dispute__case__grid"

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["dispute_id", "escalated_at", "pk"]

    def __str__(self):
        return f"{self.get_from_level_display()} → {self.get_to_level_display()}"


def agreement_path(instance, filename: str) -> str:
    return upload_path("disputes/agreements", filename)


class MediationSession(models.Model):
    """One mediation session (调解): when, who mediated, who attended, what was agreed,
    and the signed agreement as a document."""

    dispute = models.ForeignKey(
        Dispute, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("dispute")
    )
    held_at = models.DateTimeField(_("held on"), default=timezone.now)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mediator"),
    )
    attendees = models.TextField(_("who attended"), blank=True)
    agreement = models.TextField(_("what was agreed"), blank=True)
    agreement_document = models.FileField(
        _("agreement document"), upload_to=agreement_path, max_length=200, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    grid_path = "dispute__case__grid"

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["dispute_id", "held_at", "pk"]

    def __str__(self):
        return f"{self.dispute_id} · {self.held_at:%Y-%m-%d}"


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


class ScreeningRound(models.Model):
    """A grid's screening for disputes (矛盾纠纷排查) in one month. Recorded even when
    nothing was found: a missing round is what the committee looks for."""

    grid = models.ForeignKey(
        "community.Grid",
        on_delete=models.CASCADE,
        related_name="dispute_screenings",
        verbose_name=_("grid"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("screened by"),
    )
    found = models.PositiveIntegerField(_("disputes found"), default=0)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    grid_path = "grid"

    class Meta:
        verbose_name = _("screening round")
        verbose_name_plural = _("screening rounds")
        ordering = ["-month", "grid_id"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "month"], name="disputes_one_screening_a_month")
        ]

    def __str__(self):
        return f"{self.grid} · {self.month:%Y-%m}"

    def save(self, *args, **kwargs):
        self.month = first_of_month(self.month)
        super().save(*args, **kwargs)
