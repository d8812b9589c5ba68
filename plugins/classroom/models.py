"""The seven-colour classroom (七彩课堂): after-school care for children whose parents
work away from home.

A community runs terms; a term has classes (homework help, reading, art, music, sport)
with a schedule, a room, a capacity and the volunteer or teacher in charge. Children of
the community's register are enrolled (or put on the waiting list); their guardians and
the people who may fetch them are recorded with their phones (encrypted, shown masked);
staff check children in and out at the door, every day.

Every record about a child says how it reaches its grid (``grid_path``), so
``anju.permissions.scope_queryset`` narrows it to the grids a person may see; the
classroom's own staff see every child through ``classroom.classroom_wide`` (access.py).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from anju.community import Community, Resident, mask_phone, validate_phone

CHILD_PATH = "child__household__building__grid"


class Kind(models.TextChoices):
    HOMEWORK = "homework", _("Homework help")
    READING = "reading", _("Reading")
    ART = "art", _("Art")
    MUSIC = "music", _("Music")
    SPORT = "sport", _("Sport")


WEEKDAYS = (
    (1, _("Mon")),
    (2, _("Tue")),
    (3, _("Wed")),
    (4, _("Thu")),
    (5, _("Fri")),
    (6, _("Sat")),
    (7, _("Sun")),
)


class Term(models.Model):
    """A term of the classroom (学期), for example the winter holidays."""

    # Records of one community: scoped to the communities a user sees (admin, API).
    community_path = "community"

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-starts_on", "-id"]
        permissions = [
            ("classroom_wide", _("Can see every child of the classroom (classroom staff)")),
            ("door", _("Can check children in and out at the door")),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A term cannot end before it starts.")})

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on <= self.ends_on


class Volunteer(models.Model):
    """A volunteer or teacher of the classroom."""

    # Records of one community: scoped to the communities a user sees (admin, API).
    community_path = "community"

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=50)
    # null: the encrypted field stores an empty value as NULL.
    phone = EncryptedCharField(
        _("phone"), max_length=20, blank=True, null=True, validators=[validate_phone]
    )
    is_teacher = models.BooleanField(_("teacher"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""


class ClassGroup(models.Model):
    """One class of a term: what, when, where, how many, and who is in charge."""

    # Records of one community: scoped to the communities a user sees (admin, API).
    community_path = "term__community"

    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, related_name="classes", verbose_name=_("term")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    weekdays = models.CharField(
        _("weekdays"),
        max_length=20,
        default="1,2,3,4,5",
        help_text=_("Days of the week, 1 = Monday, separated by commas: 1,3,5"),
    )
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    in_charge = models.ForeignKey(
        Volunteer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="classes",
        verbose_name=_("volunteer or teacher in charge"),
    )
    absent_after_minutes = models.PositiveIntegerField(
        _("absent after (minutes)"),
        default=30,
        validators=[MaxValueValidator(240)],
        help_text=_("A child not checked in this long after the start gets a call from staff."),
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["term_id", "starts_at", "id"]

    def __str__(self):
        return f"{self.title} ({self.term})"

    def clean(self):
        errors = {}
        try:
            days = self.days
        except ValueError:
            days = None
        if not days:
            errors["weekdays"] = _("Give the days as numbers 1 to 7, separated by commas.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("A class must end after it starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def days(self) -> list[int]:
        days = sorted({int(part) for part in self.weekdays.replace("，", ",").split(",") if part})
        if any(day < 1 or day > 7 for day in days):
            raise ValueError(self.weekdays)
        return days

    @property
    def day_labels(self) -> str:
        names = dict(WEEKDAYS)
        try:
            return "、".join(str(names[day]) for day in self.days)
        except ValueError:
            return self.weekdays

    def meets_on(self, day: datetime.date) -> bool:
        try:
            return self.term.starts_on <= day <= self.term.ends_on and day.isoweekday() in self.days
        except ValueError:
            return False


class Enrolment(models.Model):
    """A child in a class, or on its waiting list. ``priority``: the child is of the
    classroom's own public (a parent working away, or a left-behind child)."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITING = "waiting", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    klass = models.ForeignKey(
        ClassGroup, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("class")
    )
    child = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="+", verbose_name=_("child")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    priority = models.BooleanField(_("parents working away or left-behind"), default=False)
    consent_by = models.CharField(_("consent given by"), max_length=50)
    consent_at = models.DateTimeField(_("consent given at"))
    # The case the guardian's portal enrolment filed (its reference is the enrolment's).
    case = models.OneToOneField(
        "services.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    reference = models.CharField(_("reference"), max_length=30, blank=True, db_index=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    created_at = models.DateTimeField(_("enrolled at"), default=timezone.now)

    grid_path = CHILD_PATH

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["klass_id", "status", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["klass", "child"],
                condition=~Q(status="cancelled"),
                name="classroom_one_live_enrolment",
            )
        ]

    def __str__(self):
        return f"{self.child} · {self.klass.title}"


class Guardian(models.Model):
    """Someone responsible for a child: a guardian at home, a parent working away, or
    another person who may fetch the child. Only people with ``may_pick_up`` may take the
    child home."""

    class Relation(models.TextChoices):
        GRANDMOTHER = "grandmother", _("Grandmother")
        GRANDFATHER = "grandfather", _("Grandfather")
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
        SIBLING = "sibling", _("Brother or sister")
        OTHER = "other", _("Other")

    child = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="+", verbose_name=_("child")
    )
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    # null: the encrypted field stores an empty value as NULL.
    phone = EncryptedCharField(_("phone"), max_length=20, null=True, validators=[validate_phone])
    phone_last4 = models.CharField(max_length=4, editable=False, db_index=True)
    may_pick_up = models.BooleanField(_("may pick up"), default=True)
    works_away = models.BooleanField(_("parent working away"), default=False)
    # The portal account that enrolled the child, if signed in: they see the child there.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    grid_path = CHILD_PATH

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians and pick-up list")
        ordering = ["child_id", "-may_pick_up", "id"]

    def __str__(self):
        return f"{self.name} ({self.get_relation_display()})"

    def save(self, *args, **kwargs):
        self.phone = (self.phone or "").strip().replace(" ", "") or None
        self.phone_last4 = (self.phone or "")[-4:]
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""


class Attendance(models.Model):
    """One child's day in a class: arrived, and fetched by whom. One row per child, class
    and day (a double tap never checks in twice)."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("child")
    )
    day = models.DateField(_("day"), default=timezone.localdate, db_index=True)
    checked_in_at = models.DateTimeField(_("arrived"))
    checked_out_at = models.DateTimeField(_("left"), null=True, blank=True)
    picked_up_by = models.ForeignKey(
        Guardian,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("picked up by"),
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    grid_path = "enrolment__" + CHILD_PATH

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["-day", "enrolment_id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="classroom_one_check_in")
        ]

    def __str__(self):
        return f"{self.enrolment.child} · {self.day}"


class PickupFlag(models.Model):
    """A refused check-out: someone not on the child's pick-up list came to fetch them."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="flags", verbose_name=_("child")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    person = models.CharField(_("person who came"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    resolved = models.BooleanField(_("dealt with"), default=False)

    grid_path = "enrolment__" + CHILD_PATH

    class Meta:
        verbose_name = _("refused pick-up")
        verbose_name_plural = _("refused pick-ups")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.enrolment.child} · {self.person}"


class CallTask(models.Model):
    """A child expected but not arrived by the set time: staff call the guardian."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="calls", verbose_name=_("child")
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    done_at = models.DateTimeField(_("called at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("called by"),
    )
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    grid_path = "enrolment__" + CHILD_PATH

    class Meta:
        verbose_name = _("call task")
        verbose_name_plural = _("call tasks")
        ordering = ["done_at", "-day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="classroom_one_call_a_day")
        ]

    def __str__(self):
        return f"{self.enrolment.child} · {self.day}"


class VolunteerShift(models.Model):
    """Hours a volunteer gave to a class on one day."""

    # Records of one community: scoped to the communities a user sees (admin, API).
    community_path = "volunteer__community"

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("volunteer")
    )
    klass = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("class")
    )
    day = models.DateField(_("day"), default=timezone.localdate)
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(12)],
    )

    class Meta:
        verbose_name = _("volunteer hours")
        verbose_name_plural = _("volunteer hours")
        ordering = ["-day", "id"]

    def __str__(self):
        return f"{self.volunteer} · {self.day} · {self.hours}"


class ClassNotice(models.Model):
    """A notice to the guardians of one class (SMS and in the app)."""

    klass = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="notices", verbose_name=_("class")
    )
    text = models.CharField(_("text"), max_length=300)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("class notice")
        verbose_name_plural = _("class notices")
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return self.text[:40]
