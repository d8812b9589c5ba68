"""Gas and fire safety (燃气与用火用电安全): what the plugin keeps beside the engine.

- ``GasStatus``: each household's gas — not connected, applied, connected, or still on
  bottled LPG (液化气) with its cylinder count.
- ``ConnectionApplication``: a gas-connection application; it *is* a case of the services
  engine (filed by the resident or on their behalf), handed to the gas company.
- ``Hazard`` (隐患): a failed item of a door-to-door check (a campaign answer) or a
  resident's report. It *is* a case too: its deadline (by severity) is the case's, the
  engine's SLA sweep escalates it grid → community, and the plugin hands an overdue
  community-level hazard to the partner organisation (``handling``). Whether it is open,
  overdue or closed is read from the case, never copied.
- ``SafetyTalk``: a talk or drill with the gas company or the fire brigade, and the
  households that came.

Every model says how it reaches its grid (``grid_path``) and, for records that follow a
case, what a partner organisation may see (``handover_path``), so
``anju.permissions.scope_queryset`` narrows them like the core's own records.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.services import DONE_STATUSES, Status, upload_path


class GasState(models.TextChoices):
    NOT_CONNECTED = "not_connected", _("Not connected")
    APPLIED = "applied", _("Applied for connection")
    CONNECTED = "connected", _("Connected to piped gas")
    LPG = "lpg", _("Still using bottled LPG")


class GasStatus(models.Model):
    """A household's gas (燃气状况)."""

    household = models.OneToOneField(
        "community.Household",
        on_delete=models.CASCADE,
        related_name="safety_gas",
        verbose_name=_("household"),
    )
    state = models.CharField(
        _("gas"), max_length=20, choices=GasState.choices, default=GasState.NOT_CONNECTED
    )
    lpg_cylinders = models.PositiveSmallIntegerField(
        _("LPG cylinders"), default=0, help_text=_("How many bottles of LPG are in the home.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    grid_path = "household__building__grid"

    class Meta:
        verbose_name = _("gas status")
        verbose_name_plural = _("gas statuses")
        ordering = ["household_id"]

    def __str__(self):
        return f"{self.household} · {self.get_state_display()}"

    def clean(self):
        if self.state == GasState.LPG and not self.lpg_cylinders:
            raise ValidationError(
                {"lpg_cylinders": _("A household on LPG has at least one cylinder.")}
            )
        if self.state != GasState.LPG and self.lpg_cylinders:
            raise ValidationError(
                {"lpg_cylinders": _("Only a household still using LPG has cylinders.")}
            )


class ConnectionApplication(models.Model):
    """A gas-connection application (通气申请): the case is the application."""

    case = models.OneToOneField(
        "services.Case",
        on_delete=models.PROTECT,
        related_name="safety_connection",
        verbose_name=_("case"),
    )
    lpg_cylinders = models.PositiveSmallIntegerField(_("LPG cylinders now"), default=0)
    created_at = models.DateTimeField(_("applied"), auto_now_add=True)

    grid_path = "case__grid"
    handover_path = "case"

    class Meta:
        verbose_name = _("gas-connection application")
        verbose_name_plural = _("gas-connection applications")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.case.reference


class HazardKind(models.TextChoices):
    GAS = "gas", _("Gas")
    ELECTRICAL = "electrical", _("Electrical")
    FIRE = "fire", _("Fire and escape")


class Item(models.TextChoices):
    """The standard checklist (入户安全检查): one hazard per failed item."""

    GAS_HOSE = "gas_hose", _("Gas hose within its age, clamps on both ends")
    LEAK_ALARM = "leak_alarm", _("Gas leak alarm works")
    VALVE_CLOSED = "valve_closed", _("Gas valve closed when out")
    LPG_INDOORS = "lpg_indoors", _("No LPG cylinder kept indoors")
    SOCKETS = "sockets", _("No overloaded sockets or chained extension leads")
    WIRING = "wiring", _("Wiring sound, no bare or aged wires")
    EBIKE = "ebike", _("No e-bike or battery charged indoors")
    SMOKE_ALARM = "smoke_alarm", _("Smoke alarm works")
    ESCAPE = "escape", _("Escape route and stairwell clear")
    OTHER = "other", _("Other")


#: Each item's kind, default severity and who usually must fix it.
ITEM_RULES: dict[str, tuple[str, str, str]] = {
    Item.GAS_HOSE: (HazardKind.GAS, "high", "resident"),
    Item.LEAK_ALARM: (HazardKind.GAS, "medium", "gas_company"),
    Item.VALVE_CLOSED: (HazardKind.GAS, "medium", "resident"),
    Item.LPG_INDOORS: (HazardKind.GAS, "high", "resident"),
    Item.SOCKETS: (HazardKind.ELECTRICAL, "medium", "resident"),
    Item.WIRING: (HazardKind.ELECTRICAL, "high", "landlord"),
    Item.EBIKE: (HazardKind.FIRE, "high", "resident"),
    Item.SMOKE_ALARM: (HazardKind.FIRE, "low", "community"),
    Item.ESCAPE: (HazardKind.FIRE, "medium", "community"),
    Item.OTHER: (HazardKind.FIRE, "medium", "community"),
}


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Responsible(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    LANDLORD = "landlord", _("Landlord")
    GAS_COMPANY = "gas_company", _("Gas company")
    COMMUNITY = "community", _("Community")


class HazardState(models.TextChoices):
    OPEN = "open", _("Open")
    RECTIFIED = "rectified", _("Rectified, to re-check")
    OVERDUE = "overdue", _("Overdue")
    CLOSED = "closed", _("Closed")


def _photo_path(instance, filename):
    return upload_path("safety/hazards", filename)


#: Case statuses after which a hazard is closed (removed, or the report turned down).
CLOSED_STATUSES = (*DONE_STATUSES, Status.REJECTED)


class HazardQuerySet(models.QuerySet):
    def for_lists(self):
        return self.select_related(
            "case__grid", "case__household__building", "case__service", "case__assignee"
        )

    def closed(self):
        return self.filter(case__status__in=CLOSED_STATUSES)

    def open(self):
        return self.exclude(case__status__in=CLOSED_STATUSES)

    def overdue(self, now=None):
        now = now or timezone.now()
        return self.open().filter(case__resolve_due__lt=now)

    def to_recheck(self):
        """Rectified since the last re-check (or never re-checked)."""
        return self.open().filter(
            Q(rectified_at__isnull=False)
            & (Q(rechecked_at__isnull=True) | Q(rechecked_at__lt=models.F("rectified_at")))
        )


class Hazard(models.Model):
    """A safety hazard (隐患) to be removed: its case carries the deadline, holder,
    escalation and timeline."""

    case = models.OneToOneField(
        "services.Case",
        on_delete=models.PROTECT,
        related_name="safety_hazard",
        verbose_name=_("case"),
    )
    answer = models.ForeignKey(
        "campaigns.TargetAnswer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="safety_hazards",
        verbose_name=_("found in the check"),
    )
    item = models.CharField(_("check item"), max_length=20, choices=Item.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=HazardKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    responsible = models.CharField(_("who must fix it"), max_length=20, choices=Responsible.choices)
    description = models.TextField(_("what was found"), blank=True)
    photo = models.ImageField(_("photo"), upload_to=_photo_path, blank=True)
    rectified_at = models.DateTimeField(_("reported fixed"), null=True, blank=True)
    rectified_note = models.TextField(_("what was done"), blank=True)
    rechecked_at = models.DateTimeField(_("re-checked"), null=True, blank=True)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("re-checked by"),
    )
    recheck_passed = models.BooleanField(_("re-check passed"), null=True, blank=True)
    created_at = models.DateTimeField(_("found"), default=timezone.now)

    objects = HazardQuerySet.as_manager()

    grid_path = "case__grid"
    handover_path = "case"

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("export_figures", _("Can export the safety figures")),
            ("recheck_hazard", _("Can re-check hazards")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "item"],
                condition=Q(answer__isnull=False),
                name="safety_hazard_once_per_answer_item",
            )
        ]

    def __str__(self):
        return f"{self.case.reference} · {self.get_item_display()}"

    @property
    def deadline(self):
        return self.case.resolve_due

    @property
    def is_closed(self) -> bool:
        return self.case.status in CLOSED_STATUSES

    @property
    def state(self) -> str:
        if self.is_closed:
            return HazardState.CLOSED
        if self.rectified_at and (
            self.rechecked_at is None or self.rechecked_at < self.rectified_at
        ):
            return HazardState.RECTIFIED
        if self.case.resolve_due < timezone.now():
            return HazardState.OVERDUE
        return HazardState.OPEN

    def get_state_display(self) -> str:
        return str(HazardState(self.state).label)


class TalkKind(models.TextChoices):
    TALK = "talk", _("Safety talk")
    DRILL = "drill", _("Drill")


class SafetyTalk(models.Model):
    """A safety talk or drill (安全讲座/演练), often with the gas company or the fire
    brigade, and the households that came."""

    # Records of one community: scoped to the communities a user sees (admin, API).
    community_path = "community"

    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        related_name="safety_talks",
        verbose_name=_("community"),
    )
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=TalkKind.choices, default="talk")
    partner = models.ForeignKey(
        "anju_permissions.PartnerOrganisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="safety_talks",
        verbose_name=_("with"),
    )
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=100)
    attendees = models.ManyToManyField(
        "community.Household",
        blank=True,
        related_name="safety_talks",
        verbose_name=_("households that attended"),
    )

    class Meta:
        verbose_name = _("safety talk")
        verbose_name_plural = _("safety talks")
        ordering = ["-starts_at"]

    def __str__(self):
        return self.title
