"""Disputes (矛盾纠纷): what the plugin keeps beside the services engine's case.

A dispute *is* a case of the services engine (reference number, assignee, SLA, timeline,
tracking by the resident); ``Dispute`` adds what mediation needs: the kind of dispute,
what happened and where, the risk, the parties, the mediation sessions, and what goes
beyond the engine's grid → community ladder: the hand-over to the township or a judicial
referral (转交), or the parties withdrawing it. Who deals with it and how it ended are
read from the case (see "what a dispute's case says about it" below), never copied.
Screening rounds (排查) are per grid and month, recorded even when nothing
was found, so the committee sees which grids have not screened.

Every model here says how it reaches its grid (``grid_path``), so
``anju.permissions.scope_queryset`` can narrow it like the core's own records.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case as SqlCase
from django.db.models import Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from anju.community import mask_phone, validate_phone
from anju.services import DONE_STATUSES, CaseEvent, Level, Status, upload_path


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


class Ending(models.TextChoices):
    """How the plugin itself ended a dispute, beyond the engine's grid → community ladder:
    handed over to the township or to the courts (转交), or dropped by the parties."""

    TOWNSHIP = DisputeLevel.TOWNSHIP.value, DisputeLevel.TOWNSHIP.label
    JUDICIAL = DisputeLevel.JUDICIAL.value, DisputeLevel.JUDICIAL.label
    WITHDRAWN = "withdrawn", _("Withdrawn")


# --- what a dispute's case says about it ----------------------------------------------
#
# Level, outcome, when it ended, the follow-up and the relapses are not stored here: they
# are read from the dispute's case (its status, level and resolution, changed only by
# the services engine — staff in the dispute's page, the cases inbox, the SLA sweep) and
# from the two things only this plugin knows, ``Dispute.ending`` and ``ended_at``. Each
# question has one answer below, as a Python property of ``Dispute`` and, beside it, as
# the SQL the lists and figures filter and count by (``DisputeQuerySet.with_state``);
# tests/plugins/disputes/test_derived.py holds the two to the same answer.


def ending_applies(case_status, case_resolved_at, ending, ended_at) -> bool:
    """The plugin's ending describes the case's *current* resolution: the case is done
    and was resolved at the moment the plugin ended it. A relapse reopens the case, and
    the next resolution has a later time, so an old ending no longer applies."""
    return bool(
        ending
        and ended_at is not None
        and case_status in DONE_STATUSES
        and ended_at == case_resolved_at
    )


_ENDING_APPLIES = Q(case__status__in=DONE_STATUSES, ended_at=F("case__resolved_at"))


def _sql_level():
    return SqlCase(
        When(_ENDING_APPLIES & Q(ending__in=REFERRAL_LEVELS), then=F("ending")),
        default=F("case__level"),
        output_field=models.CharField(),
    )


def _sql_outcome():
    return SqlCase(
        When(~Q(case__status__in=DONE_STATUSES), then=Value("")),
        When(_ENDING_APPLIES & Q(ending__in=REFERRAL_LEVELS), then=Value(Outcome.REFERRED)),
        When(_ENDING_APPLIES & Q(ending=Ending.WITHDRAWN), then=Value(Outcome.WITHDRAWN)),
        When(case__level=Level.GRID, then=Value(Outcome.RESOLVED_IN_GRID)),
        default=Value(Outcome.RESOLVED_IN_COMMUNITY),
        output_field=models.CharField(),
    )


#: A relapse: the case went back to work after it was resolved (a follow-up that found
#: the matter unsettled, or staff reopening it from the cases inbox).
RELAPSE_EVENTS = Q(from_status=Status.RESOLVED, to_status=Status.IN_PROGRESS)


def _sql_relapses():
    counted = (
        CaseEvent.objects.filter(RELAPSE_EVENTS, case=OuterRef("case"))
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)


#: Follow-up (回访) pending: settled in the grid or the community, the case resolved and
#: not yet followed up (a follow-up closes it or sends it back to work).
FOLLOW_UP_PENDING = Q(
    current_outcome__in=(Outcome.RESOLVED_IN_GRID, Outcome.RESOLVED_IN_COMMUNITY),
    case__status=Status.RESOLVED,
)


#: What ``DisputeQuerySet.for_lists`` adds to each row.
ANNOTATIONS = ("current_level", "current_outcome", "relapse_count")


class DisputeQuerySet(models.QuerySet):
    def for_lists(self):
        """What every list of disputes shows, in a constant number of queries."""
        return (
            self.select_related(
                "case__grid", "case__household__building", "case__assignee", "case__service"
            )
            .with_state()
            .annotate(relapse_count=_sql_relapses())
        )

    def with_state(self):
        """Annotate ``current_level`` and ``current_outcome``: the same answers as
        ``Dispute.level`` and ``.outcome``, for filtering and counting in SQL."""
        if "current_outcome" in self.query.annotations:
            return self
        return self.annotate(current_level=_sql_level(), current_outcome=_sql_outcome())

    def open(self):
        return self.with_state().filter(current_outcome="")

    def ended(self):
        return self.with_state().exclude(current_outcome="")

    def follow_up_pending(self):
        return self.with_state().filter(FOLLOW_UP_PENDING)


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
    # Beyond the community ladder: the plugin handed the dispute over or the parties
    # dropped it, when the case was resolved at ``ended_at`` (see ``ending_applies``).
    ending = models.CharField(_("ended by"), max_length=20, choices=Ending.choices, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    visit = models.ForeignKey(
        "community.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disputes",
        verbose_name=_("found on the visit"),
    )
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

    def _ending_applies(self) -> bool:
        case = self.case
        return ending_applies(case.status, case.resolved_at, self.ending, self.ended_at)

    @property
    def level(self) -> DisputeLevel:
        """Who is dealing with it: the case's level (grid or community), or where the
        plugin handed it over to."""
        if self._ending_applies() and self.ending in REFERRAL_LEVELS:
            return DisputeLevel(self.ending)
        return DisputeLevel(self.case.level)

    def get_level_display(self) -> str:
        return self.level.label

    @property
    def outcome(self) -> str:
        """ "" while the case is being worked on; once it is resolved, by the level that
        settled it, or as the plugin ended it (referred, withdrawn)."""
        case = self.case
        if case.status not in DONE_STATUSES:
            return ""
        if self._ending_applies():
            return Outcome.REFERRED if self.ending in REFERRAL_LEVELS else Outcome.WITHDRAWN
        if case.level == Level.GRID:
            return Outcome.RESOLVED_IN_GRID
        return Outcome.RESOLVED_IN_COMMUNITY

    def get_outcome_display(self) -> str:
        outcome = self.outcome
        return str(Outcome(outcome).label) if outcome else ""

    @property
    def is_open(self) -> bool:
        return not self.outcome

    @property
    def resolved_at(self):
        """When it ended: the case's resolution, while the case stays resolved."""
        return self.case.resolved_at if self.outcome else None

    @property
    def follow_up_due(self) -> datetime.date | None:
        """The day the follow-up (回访) is due: ``FOLLOW_UP_DAYS`` after a settlement in
        the grid or the community, until the follow-up is recorded."""
        if self.outcome not in RESOLVED_OUTCOMES or self.case.status != Status.RESOLVED:
            return None
        return follow_up_due_after(self.case.resolved_at)

    @property
    def relapses(self) -> int:
        """How often a settlement did not hold: the case went back to work after it was
        resolved."""
        if "relapse_count" in self.__dict__:  # annotated by with_state()
            return self.relapse_count
        return CaseEvent.objects.filter(RELAPSE_EVENTS, case_id=self.case_id).count()

    @property
    def days_to_resolve(self) -> float | None:
        if self.outcome not in RESOLVED_OUTCOMES:
            return None
        return round((self.case.resolved_at - self.case.created_at).total_seconds() / 86400, 1)


def follow_up_days() -> int:
    from django.apps import apps

    return int(apps.get_app_config("disputes").settings["FOLLOW_UP_DAYS"])


def follow_up_due_after(resolved_at) -> datetime.date:
    return timezone.localdate(resolved_at) + datetime.timedelta(days=follow_up_days())


def follow_up_cutoff(on: datetime.date) -> datetime.datetime:
    """The follow-up of a settlement resolved before this moment is due on or before
    ``on``: midnight (local) of the day after ``on`` minus ``FOLLOW_UP_DAYS``."""
    day = on - datetime.timedelta(days=follow_up_days() - 1)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


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
    """A hand-over beyond the community (转交): to the township or a judicial referral,
    with why. (Grid → community is the case's own escalation, in its timeline; see
    ``handling.escalation_steps`` for both together.)"""

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
