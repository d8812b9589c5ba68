"""The elderly canteen (老年餐厅) and activity centre (老年活动中心).

Who may eat is derived from the register: residents aged 70 and over by their birth
date, plus exceptions the committee grants with a reason (``EligibilityGrant``). A meal
(``Meal``) is one person's lunch on one day — booked, cancelled, served at the counter or
delivered — and carries the price and the county's subsidy it was booked at, so the
monthly statement and the bureau's report never change after the fact.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel

RESIDENT_GRID = "resident__household__building__grid"


class Option(models.TextChoices):
    REGULAR = "regular", _("regular")
    SOFT = "soft", _("soft")
    LOW_SALT = "low_salt", _("low salt")
    DIABETIC = "diabetic", _("diabetic")


class EligibilityGrant(models.Model):
    """An exception the committee grants (for example a disabled resident of 65)."""

    resident = models.OneToOneField(
        "community.Resident",
        on_delete=models.CASCADE,
        related_name="elderly_grant",
        verbose_name=_("resident"),
    )
    reason = models.TextField(_("reason"))
    granted_on = models.DateField(_("granted on"), default=timezone.localdate)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )

    grid_path = RESIDENT_GRID

    class Meta:
        verbose_name = _("eligibility exception")
        verbose_name_plural = _("eligibility exceptions")
        ordering = ["-granted_on", "-id"]

    def __str__(self):
        return str(self.resident)

    def clean(self):
        if not (self.reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for the exception.")})


class Diner(models.Model):
    """What the canteen keeps about one resident: the usual option and dietary notes."""

    resident = models.OneToOneField(
        "community.Resident",
        on_delete=models.CASCADE,
        related_name="elderly_diner",
        verbose_name=_("resident"),
    )
    option = models.CharField(
        _("usual option"), max_length=20, choices=Option.choices, default=Option.REGULAR
    )
    dietary_note = models.TextField(
        _("dietary notes"), blank=True, help_text=_("Allergies, chewing, what the doctor said.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    grid_path = RESIDENT_GRID

    class Meta:
        verbose_name = _("diner")
        verbose_name_plural = _("diners")
        ordering = ["resident_id"]

    def __str__(self):
        return str(self.resident)


class Menu(ClusterableModel):
    """One week's menu, prepared by the canteen staff and shown on the portal once
    published."""

    # Records of one community: scoped to the communities a user sees (admin, API).
    community_path = "community"

    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("community"),
    )
    week_start = models.DateField(_("week of (Monday)"))
    published = models.BooleanField(_("published"), default=False)
    note = models.TextField(_("note"), blank=True)

    panels = [
        FieldPanel("community"),
        FieldPanel("week_start"),
        FieldPanel("published"),
        FieldPanel("note"),
        InlinePanel("dishes", label=_("dishes")),
    ]

    class Meta:
        verbose_name = _("weekly menu")
        verbose_name_plural = _("weekly menus")
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["community", "week_start"], name="elderly_menu_week")
        ]

    def __str__(self):
        return _("Week of %(date)s") % {"date": self.week_start.isoformat()}

    def clean(self):
        if self.week_start and self.week_start.weekday() != 0:
            raise ValidationError({"week_start": _("A week starts on a Monday.")})


class Dish(models.Model):
    menu = ParentalKey(Menu, on_delete=models.CASCADE, related_name="dishes")
    day = models.DateField(_("day"))
    name = models.CharField(_("dish"), max_length=100)
    option = models.CharField(
        _("option"), max_length=20, choices=Option.choices, default=Option.REGULAR
    )

    panels = [FieldPanel("day"), FieldPanel("name"), FieldPanel("option")]

    class Meta:
        verbose_name = _("dish")
        verbose_name_plural = _("dishes")
        ordering = ["day", "option", "id"]

    def __str__(self):
        return self.name


class CanteenDay(models.Model):
    """A day the canteen keeps other hours than usual. It serves lunch Monday to Friday
    (setting ``OPEN_WEEKDAYS``); a row closes an ordinary day (a public holiday such as
    国庆节, a kitchen inspection) or opens a weekend day (调休, the make-up working day).
    A row without a community holds for every community of the installation (the
    county's holidays); a community's own row wins over it.

    Closed days cannot be booked, and the welfare check counts only the days the canteen
    served: a week of holiday does not make every regular look absent."""

    # Records of one community: scoped to the communities a user sees (admin, API).
    community_path = "community"

    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Leave empty for a day that holds for every community (a public holiday)."),
    )
    date = models.DateField(_("date"))
    open = models.BooleanField(
        _("open"),
        default=False,
        help_text=_(
            "Tick for a weekend day the canteen serves lunch (调休); leave it for a closure."
        ),
    )
    reason = models.CharField(_("reason"), max_length=100)

    class Meta:
        verbose_name = _("canteen closure or extra day")
        verbose_name_plural = _("canteen closures and extra days")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "date"],
                condition=Q(community__isnull=False),
                name="elderly_canteen_day",
                violation_error_message=_("This community already has an entry for this day."),
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(community__isnull=True),
                name="elderly_county_day",
                violation_error_message=_(
                    "There is already an entry for this day for every community."
                ),
            ),
        ]

    def __str__(self):
        state = _("open") if self.open else _("closed")
        return f"{self.date} · {state} · {self.reason}"


class Meal(models.Model):
    """One person's lunch on one day. At most one per person per day (a constraint)."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        CANCELLED = "cancelled", _("cancelled")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("portal")
        STAFF = "staff", _("by staff")
        WALK_IN = "walk_in", _("walk-in")

    resident = models.ForeignKey(
        "community.Resident",
        on_delete=models.PROTECT,
        related_name="elderly_meals",
        verbose_name=_("resident"),
    )
    date = models.DateField(_("date"), db_index=True)
    option = models.CharField(
        _("option"), max_length=20, choices=Option.choices, default=Option.REGULAR
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.BOOKED
    )
    channel = models.CharField(
        _("booked through"), max_length=20, choices=Channel.choices, default=Channel.PORTAL
    )
    delivery = models.BooleanField(_("delivered home"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    price = models.DecimalField(_("price"), max_digits=7, decimal_places=2, default=Decimal(0))
    subsidy = models.DecimalField(
        _("county subsidy"), max_digits=7, decimal_places=2, default=Decimal(0)
    )
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    served_at = models.DateTimeField(_("served at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    grid_path = RESIDENT_GRID

    class Meta:
        verbose_name = _("meal")
        verbose_name_plural = _("meals")
        ordering = ["-date", "resident_id"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "date"], name="elderly_one_meal_a_day")
        ]
        indexes = [
            models.Index(fields=["date", "status", "option", "delivery"], name="elderly_meal_day")
        ]
        permissions = [
            ("canteen_wide", _("Can run the canteen for every grid (counter, kitchen)")),
        ]

    def __str__(self):
        return f"{self.resident} · {self.date}"

    @property
    def self_pay(self) -> Decimal:
        return self.price - self.subsidy

    @property
    def taken(self) -> bool:
        return self.served_at is not None or self.delivered_at is not None


class WelfareCheck(models.Model):
    """An elder living alone who usually eats here has neither come nor booked for two
    working days: the grid worker visits, and marks it checked with the visit."""

    resident = models.ForeignKey(
        "community.Resident",
        on_delete=models.CASCADE,
        related_name="elderly_welfare_checks",
        verbose_name=_("resident"),
    )
    raised_on = models.DateField(_("raised on"), default=timezone.localdate)
    last_meal = models.DateField(_("last meal"), null=True, blank=True)
    visit = models.ForeignKey(
        "community.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visit"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    note = models.TextField(_("what was found"), blank=True)

    grid_path = RESIDENT_GRID

    class Meta:
        verbose_name = _("welfare check")
        verbose_name_plural = _("welfare checks")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(checked_at__isnull=True),
                name="elderly_one_open_check",
            )
        ]

    def __str__(self):
        return f"{self.resident} · {self.raised_on}"


class Room(models.Model):
    # Records of one community: scoped to the communities a user sees (admin, API).
    community_path = "community"

    community = models.ForeignKey("community.Community", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=20)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Activity(models.Model):
    # Records of one community: scoped to the communities a user sees (admin, API).
    community_path = "community"

    class Kind(models.TextChoices):
        CHESS = "chess", _("chess and cards")
        DANCE = "dance", _("dance")
        CALLIGRAPHY = "calligraphy", _("calligraphy and painting")
        HEALTH_TALK = "health_talk", _("health talk")
        OTHER = "other", _("other")

    community = models.ForeignKey("community.Community", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("room")
    )
    capacity = models.PositiveSmallIntegerField(_("places"), default=20)
    description = models.TextField(_("description"), blank=True)
    published = models.BooleanField(_("shown on the portal"), default=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("An activity ends after it starts.")})
        if self.room_id and self.starts_at and self.ends_at:
            clash = RoomBooking.objects.filter(
                room_id=self.room_id, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
            ).exists() or (
                Activity.objects.filter(
                    room_id=self.room_id, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
                )
                .exclude(pk=self.pk)
                .exists()
            )
            if clash:
                raise ValidationError({"room": _("The room is taken at that time.")})


class SignUp(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("waiting list")
        CANCELLED = "cancelled", _("cancelled")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("activity")
    )
    resident = models.ForeignKey(
        "community.Resident",
        on_delete=models.CASCADE,
        related_name="elderly_signups",
        verbose_name=_("resident"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    attended = models.BooleanField(_("attended"), default=False)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)

    grid_path = RESIDENT_GRID

    class Meta:
        verbose_name = _("activity sign-up")
        verbose_name_plural = _("activity sign-ups")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "resident"], name="elderly_signup_once")
        ]

    def __str__(self):
        return f"{self.resident} · {self.activity}"


class RoomBooking(models.Model):
    # Records of one community: scoped to the communities a user sees (admin, API).
    community_path = "room__community"

    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("room")
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    purpose = models.CharField(_("purpose"), max_length=200)
    booked_by = models.CharField(_("booked by"), max_length=50)

    class Meta:
        verbose_name = _("room booking")
        verbose_name_plural = _("room bookings")
        ordering = ["starts_at"]

    def __str__(self):
        return f"{self.room} · {self.purpose}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A booking ends after it starts.")})
        if self.room_id and self.starts_at and self.ends_at:
            clash = (
                RoomBooking.objects.filter(
                    room_id=self.room_id, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
                )
                .exclude(pk=self.pk)
                .exists()
                or Activity.objects.filter(
                    room_id=self.room_id, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
                ).exists()
            )
            if clash:
                raise ValidationError({"room": _("The room is taken at that time.")})
