"""Community → Grid → Building → Household → Resident, the grid team, the visit log.

Every model below a grid says how to reach its grid (``grid_path``); the permissions
layer filters any queryset by the grids a user may see with that path, in one query.
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from anju.core.normalise import normalise_number

from .idnumbers import (
    birth_date_of,
    mask_id_number,
    mask_phone,
    normalise_id_number,
    validate_id_number,
    validate_phone,
)

AGED_THRESHOLD = 70  # the canteen's and the elderly centre's "aged 70+" (derived, never typed)


class Township(models.Model):
    """A township or street office (乡镇/街道): the level above communities. The county is
    the installation itself, so it needs no row.

    Its ``staff`` (with the township staff role) see every community of the township;
    its ``desk_staff`` (with the service desk role) staff its desk of the one-stop
    service station (便民服务站) and see the cases routed to it (anju.permissions.jurisdiction).
    The role says what a person may do, the township's lists say where: either alone
    grants nothing."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="townships_staffed",
        verbose_name=_("township staff accounts"),
        help_text=_("They see every community of the township (with the township staff role)."),
    )
    desk_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="township_desks",
        verbose_name=_("service desk staff accounts"),
        help_text=_(
            "They handle the cases routed to this township's service desk (with the "
            "service desk role)."
        ),
    )

    class Meta:
        verbose_name = _("township")
        verbose_name_plural = _("townships")
        ordering = ["name"]
        permissions = [
            ("view_jurisdiction", _("Can see the communities of the townships one staffs")),
            ("work_at_desk", _("Handles the cases routed to the service desks one staffs")),
        ]

    def __str__(self):
        return self.name


class Community(models.Model):
    """A community (社区), such as Anjuyuan. A county runs many in one installation."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    site = models.OneToOneField(
        "wagtailcore.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="community",
        verbose_name=_("portal site"),
        help_text=_("The Wagtail site that is this community's portal."),
    )
    # Empty on an installation that never set townships up: such a community is seen
    # by its own staff and by county staff only.
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communities",
        verbose_name=_("township"),
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]
        permissions = [
            ("view_whole_community", _("Can see every grid of the community")),
            ("view_county", _("Can see every community of the county")),
        ]

    def __str__(self):
        return self.name


class Grid(models.Model):
    """A grid (网格): the unit one grid worker and its "3个1" team look after."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="grids", verbose_name=_("community")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)

    grid_path = "pk"

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["community_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="grid_number_unique")
        ]

    def __str__(self):
        return self.name


class TeamRole(models.TextChoices):
    COMMITTEE = "committee", _("Committee member")
    GRID_WORKER = "grid_worker", _("Grid worker")
    RESIDENT_REP = "resident_rep", _("Resident representative")


class GridTeamMember(models.Model):
    """One seat of a grid's "3个1" team: a committee member, a grid worker and a resident
    representative per grid. One person may sit on several grids' teams.

    Seats grant and revoke the holder's object permissions on the grid (and, for
    committee members, on the whole community): see anju.permissions.grants.
    """

    grid = models.ForeignKey(
        Grid, on_delete=models.CASCADE, related_name="team", verbose_name=_("grid")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grid_seats",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20, choices=TeamRole.choices)
    # The seat's work number, shown to the grid's residents on the portal ("my household").
    phone = models.CharField(
        _("work phone"),
        max_length=30,
        blank=True,
        validators=[validate_phone],
        help_text=_("Shown to the grid's residents on the portal."),
    )

    grid_path = "grid"

    class Meta:
        verbose_name = _("grid team member")
        verbose_name_plural = _("grid team members")
        ordering = ["grid_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "role"], name="one_seat_per_role_per_grid")
        ]

    def __str__(self):
        return f"{self.grid} · {self.get_role_display()} · {self.user}"


class Building(models.Model):
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("grid")
    )
    name = models.CharField(_("name"), max_length=50, help_text=_("For example 3号楼."))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    grid_path = "grid"

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["grid_id", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "name"], name="building_name_unique")
        ]

    def __str__(self):
        return self.name


class Household(models.Model):
    """A household (户) at one address: building, unit and room."""

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="households", verbose_name=_("building")
    )
    unit = models.CharField(_("unit"), max_length=20, help_text=_("For example 2单元."))
    room = models.CharField(_("room"), max_length=20, help_text=_("For example 301."))
    head = models.ForeignKey(
        "Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("head of household"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    grid_path = "building__grid"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["building_id", "unit", "room"]
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "room"], name="address_unique")
        ]

    def __str__(self):
        return self.address

    @property
    def address(self) -> str:
        return f"{self.building.name}{self.unit}{self.room}"

    def clean(self):
        if self.head_id and self.pk and self.head.household_id != self.pk:
            raise ValidationError({"head": _("The head of household must live in it.")})


class SpecialGroup(models.Model):
    """A special-group tag (特殊群体): low-income, five-guarantee, disabled, ... Built-in
    groups have a fixed code; staff add their own. "Aged 70+" is not a tag: it is
    derived from the birth date."""

    LOW_INCOME = "low_income"
    FIVE_GUARANTEE = "five_guarantee"
    DISABLED = "disabled"
    LIVING_ALONE = "living_alone"
    MIGRANT_WORKER = "migrant_worker"
    MIGRANT_CHILD = "migrant_child"
    BUILT_IN = {
        LOW_INCOME: "低保",
        FIVE_GUARANTEE: "五保户",
        DISABLED: "残疾人",
        LIVING_ALONE: "独居",
        MIGRANT_WORKER: "外出务工",
        MIGRANT_CHILD: "留守儿童",
    }

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=50)
    built_in = models.BooleanField(_("built in"), default=False, editable=False)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Shown only to roles that need it (for example low-income status)."),
    )

    class Meta:
        verbose_name = _("special group")
        verbose_name_plural = _("special groups")
        ordering = ["-built_in", "name"]

    def __str__(self):
        return self.name


def id_number_digest(id_number: str) -> str:
    """A keyed hash of the number: equal numbers give equal digests, so uniqueness and
    look-up work although the number itself is stored encrypted."""
    key = settings.ID_NUMBER_HASH_KEY.encode()
    return hmac.new(key, normalise_id_number(id_number).encode(), hashlib.sha256).hexdigest()


def normalise_phone(phone: str | None) -> str:
    """Digits only, without a leading +86: the form every phone digest is made of."""
    digits = "".join(ch for ch in normalise_number(phone) if ch in "0123456789")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def phone_digest(phone: str | None) -> str:
    """A keyed hash of a phone number (normalised), for looking residents up by phone
    although the number is stored encrypted; empty for no number. Keyed like the
    ID-number digest (``ID_NUMBER_HASH_KEY``): ``manage.py rehash_id_numbers`` redoes
    both after the key changes."""
    digits = normalise_phone(phone)
    if not digits:
        return ""
    key = settings.ID_NUMBER_HASH_KEY.encode()
    return hmac.new(key, b"phone:" + digits.encode(), hashlib.sha256).hexdigest()


def birthday_cutoff(years: int, on: datetime.date) -> datetime.date:
    """The latest birth date of someone aged at least ``years`` on ``on``."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def aged_between_q(youngest: int | None, oldest: int | None, *, prefix: str = "", on=None) -> Q:
    """A Q over residents (``prefix`` = the path to them, e.g. "residents__") whose age
    in whole years is between ``youngest`` and ``oldest``, both included, either open."""
    on = on or timezone.localdate()
    q = Q()
    if youngest is not None:
        q &= Q(**{f"{prefix}birth_date__lte": birthday_cutoff(youngest, on)})
    if oldest is not None:
        # Not yet oldest + 1: born after the day they turned it.
        q &= Q(**{f"{prefix}birth_date__gt": birthday_cutoff(oldest + 1, on)})
    return q


class ResidentQuerySet(models.QuerySet):
    def with_phone(self, phone: str):
        """Residents registered with this phone number (one indexed query)."""
        digest = phone_digest(phone)
        return self.filter(phone_digest=digest) if digest else self.none()

    def aged_between(self, youngest: int | None, oldest: int | None, on=None):
        """Residents whose age in whole years is in [youngest, oldest] (either open)."""
        return self.filter(aged_between_q(youngest, oldest, on=on))

    def aged_at_least(self, years: int, on: datetime.date | None = None):
        on = on or timezone.localdate()
        try:
            cutoff = on.replace(year=on.year - years)
        except ValueError:  # 29 February
            cutoff = on.replace(year=on.year - years, day=28)
        return self.filter(birth_date__lte=cutoff)

    def aged_70_plus(self):
        return self.aged_at_least(AGED_THRESHOLD)


class Resident(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class Relation(models.TextChoices):
        HEAD = "head", _("head of household")
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        CHILD_IN_LAW = "child_in_law", _("son- or daughter-in-law")
        PARENT = "parent", _("parent")
        GRANDCHILD = "grandchild", _("grandchild")
        SIBLING = "sibling", _("brother or sister")
        OTHER = "other", _("other")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="residents", verbose_name=_("household")
    )
    # Kept equal to household.building.grid.community on save: ID numbers are unique per
    # community, and a constraint needs the column.
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", editable=False
    )
    name = models.CharField(_("name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    id_number = EncryptedCharField(_("ID number"), max_length=18, validators=[validate_id_number])
    id_number_digest = models.CharField(max_length=64, editable=False, db_index=True)
    # null: the encrypted field stores an empty value as NULL.
    phone = EncryptedCharField(
        _("phone"), max_length=30, blank=True, null=True, validators=[validate_phone]
    )
    # Keyed hash of the phone (phone_digest()): residents sign in to the portal by phone.
    phone_digest = models.CharField(max_length=64, editable=False, blank=True, db_index=True)
    relation = models.CharField(
        _("relation to the head"), max_length=20, choices=Relation.choices, default=Relation.HEAD
    )
    # 户籍地: where the household registration is, which may be another township than
    # the one the resident lives in. Cases of township-handled services go to its desk.
    hukou_township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("township of household registration (户籍地)"),
        help_text=_("Empty: the township of the community the resident lives in."),
    )
    groups = models.ManyToManyField(
        SpecialGroup, blank=True, related_name="residents", verbose_name=_("special groups")
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResidentQuerySet.as_manager()

    grid_path = "household__building__grid"

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "id_number_digest"], name="id_number_unique_in_community"
            )
        ]
        permissions = [("view_full_id_number", _("Can see whole ID numbers (audited)"))]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.id_number = normalise_id_number(self.id_number)
        self.id_number_digest = id_number_digest(self.id_number)
        self.phone_digest = phone_digest(self.phone)
        if kwargs.get("update_fields") is not None and "phone" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_digest"}
        if not self.community_id or self._household_changed():
            self.community_id = (
                Household.objects.filter(pk=self.household_id)
                .values_list("building__grid__community_id", flat=True)
                .get()
            )
        super().save(*args, **kwargs)

    def _household_changed(self) -> bool:
        return (
            bool(self.pk)
            and not Resident.objects.filter(pk=self.pk, household_id=self.household_id).exists()
        )

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @cached_property
    def age(self) -> int:
        today = timezone.localdate()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def is_aged_70_plus(self) -> bool:
        return self.age >= AGED_THRESHOLD

    def clean(self):
        errors = {}
        if self.id_number:
            self.id_number = normalise_id_number(self.id_number)
            born = birth_date_of(self.id_number)
            if self.birth_date and born and born != self.birth_date:
                errors["birth_date"] = _(
                    "The birth date does not agree with the ID number (%(date)s)."
                ) % {"date": born.isoformat()}
        if self.phone:
            self.phone = self.phone.strip().replace(" ", "")
        if self.household_id:
            self.community_id = self.household.building.grid.community_id
            if self.id_number:
                duplicate = (
                    Resident.objects.filter(
                        community_id=self.community_id,
                        id_number_digest=id_number_digest(self.id_number),
                    )
                    .exclude(pk=self.pk)
                    .exists()
                )
                if duplicate:
                    errors["id_number"] = _(
                        "A resident with this ID number is already registered in this community."
                    )
        if errors:
            raise ValidationError(errors)


class ResidentLinkQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(state=ResidentLink.State.CONFIRMED, resident__isnull=False)

    def pending(self):
        return self.filter(state=ResidentLink.State.PENDING)

    def households_of(self, user):
        """The households ``user`` is linked to (themselves or as 代理人), as a subquery."""
        return (
            self.confirmed().filter(user=user).values("resident__household_id")
            if user is not None and user.is_authenticated
            else self.none().values("resident__household_id")
        )


def residents_acting_for(user):
    """The residents a signed-in portal account acts for: the resident themselves (本人)
    and the relatives a grid worker linked it to (代理人), confirmed links only; none for
    an anonymous visitor. A queryset, so a plugin can narrow it (``.filter(...)``)."""
    if user is None or not user.is_authenticated:
        return Resident.objects.none()
    return Resident.objects.filter(
        pk__in=ResidentLink.objects.confirmed().filter(user=user).values("resident_id")
    )


class ResidentLink(models.Model):
    """A portal account linked to a record of the register: the resident themselves
    (本人), or a family member acting for them (代理人) — an elderly relative without a
    phone, say. A sign-in whose phone matches exactly one resident links itself; an
    ambiguous or unknown phone waits for a grid worker of the grid (``grid``) to
    confirm it, and only a grid worker makes a proxy link.

    The community layer keeps only the data: who may create or confirm links is the
    portal's (anju.residents)."""

    class Kind(models.TextChoices):
        SELF = "self", _("the resident themselves")
        PROXY = "proxy", _("family member acting for the resident (代理人)")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for the grid worker")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="resident_links",
        verbose_name=_("account"),
    )
    # Empty while pending for a phone the register does not know.
    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="account_links",
        verbose_name=_("resident"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SELF)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    # Whose grid worker decides a pending link: the grid of the candidates, or the one
    # the resident named; empty: the committee decides.
    grid = models.ForeignKey(
        Grid,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grid"),
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("what the resident said"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    objects = ResidentLinkQuerySet.as_manager()

    grid_path = "grid"

    class Meta:
        verbose_name = _("resident account link")
        verbose_name_plural = _("resident account links")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "resident"],
                condition=Q(resident__isnull=False),
                name="one_link_per_account_and_resident",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.resident or '?'} ({self.get_state_display()})"


class Visit(models.Model):
    """A home visit (入户走访) with the four questions (四问)."""

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        PHONE = "phone", _("phone")
        WECHAT = "wechat", _("WeChat")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="visits", verbose_name=_("household")
    )
    visited_on = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("visited by"),
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.IN_PERSON
    )
    basic_situation = models.TextField(_("basic situation"), blank=True)
    family_matters = models.TextField(_("family matters"), blank=True)
    difficulties = models.TextField(_("difficulties and needs"), blank=True)
    suggestions = models.TextField(_("opinions and suggestions"), blank=True)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_due = models.DateField(_("follow up by"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("follow-up done"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    grid_path = "household__building__grid"

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_needed=True) | Q(follow_up_due__isnull=True),
                name="follow_up_due_only_when_needed",
            )
        ]
        indexes = [
            # The list order: a county's first page of 1,000,000 visits read straight
            # off the index (visited_on alone left a sort of each day's ~3,000 visits).
            models.Index(fields=["-visited_on", "-id"], name="visit_list_order"),
            # A grid's visits in list order, household by household: a grid worker's
            # page of ids is read from this index alone (the API reads a page's ids
            # first: anju.core.pagination.CappedCountPagination.page_rows), 1 ms where
            # fetching and sorting their grid's 2,000 whole visits took 10–15.
            models.Index(fields=["household", "-visited_on", "-id"], name="visit_household_order"),
        ]

    def __str__(self):
        return f"{self.household} · {self.visited_on}"

    def clean(self):
        if self.follow_up_needed and not self.follow_up_due:
            raise ValidationError({"follow_up_due": _("Say by when the follow-up is due.")})
        if not self.follow_up_needed:
            self.follow_up_due = None
        if self.visited_on and self.visited_on > timezone.localdate():
            raise ValidationError({"visited_on": _("A visit cannot be in the future.")})
