"""The canteen's rules: who may eat, booking and cancelling before the cut-off, the
counter's check-in, the kitchen's headcount, deliveries and the money.

Every function that lists residents takes the user and narrows with ``visible`` (the
user's grids; the canteen's own staff see every grid, see ``canteen_wide``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.community import Resident, SpecialGroup
from anju.permissions import is_grid_restricted, scope_queryset

from .models import CanteenDay, Diner, EligibilityGrant, Meal, Option

AGE = 70
CANTEEN_WIDE = "elderly.canteen_wide"
HOMEBOUND_GROUPS = (SpecialGroup.LIVING_ALONE, SpecialGroup.DISABLED)


class BookingError(Exception):
    """A booking the rules refuse; ``message`` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def setting(name):
    return apps.get_app_config("elderly").settings[name]


# --- who sees what ------------------------------------------------------------------------


def canteen_wide(user) -> bool:
    """The canteen's staff (and the committee) run the counter for every grid."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.has_perm(CANTEEN_WIDE) and not is_grid_restricted(user)


def visible(queryset, user):
    """``queryset`` (of a model with a ``grid_path``) narrowed to what ``user`` may see."""
    if canteen_wide(user):
        return queryset
    return scope_queryset(queryset, user)


# --- eligibility --------------------------------------------------------------------------


def age_cutoff(on: datetime.date | None = None) -> datetime.date:
    """Born on or before this day: 70 or older on ``on``."""
    on = on or timezone.localdate()
    try:
        return on.replace(year=on.year - AGE)
    except ValueError:  # 29 February
        return on.replace(year=on.year - AGE, day=28)


def eligible_q(on: datetime.date | None = None, prefix: str = "") -> Q:
    return Q(**{f"{prefix}birth_date__lte": age_cutoff(on)}) | Q(
        **{f"{prefix}elderly_grant__isnull": False}
    )


def eligible_residents(on: datetime.date | None = None):
    """Residents who may eat here: 70+ by the register's birth date, or granted."""
    return Resident.objects.filter(eligible_q(on))


def is_eligible(resident, on: datetime.date | None = None) -> bool:
    if resident.birth_date and resident.birth_date <= age_cutoff(on):
        return True
    return EligibilityGrant.objects.filter(resident_id=resident.pk).exists()


def is_homebound(resident) -> bool:
    return resident.groups.filter(code__in=HOMEBOUND_GROUPS).exists()


# --- money -------------------------------------------------------------------------------


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def price_tier(birth_date: datetime.date | None, on: datetime.date) -> dict:
    """The price tier for a person born on ``birth_date``: the tier with the highest
    minimum age they reach (granted exceptions under 70 pay the first tier)."""
    tiers = sorted(setting("PRICE_TIERS"), key=lambda tier: tier["min_age"])
    age = age_on(birth_date, on) if birth_date else AGE
    chosen = tiers[0]
    for tier in tiers:
        if age >= tier["min_age"]:
            chosen = tier
    return chosen


def price_tiers() -> list[dict]:
    tiers = sorted(setting("PRICE_TIERS"), key=lambda tier: tier["min_age"])
    return [
        {
            **tier,
            "price": Decimal(tier["price"]),
            "subsidy": Decimal(tier["subsidy"]),
            "self_pay": Decimal(tier["price"]) - Decimal(tier["subsidy"]),
        }
        for tier in tiers
    ]


# --- the days the canteen serves ----------------------------------------------------------


def _overrides(start: datetime.date, end: datetime.date, community_id) -> dict:
    """The closures and extra days between ``start`` and ``end`` (inclusive) that hold
    for ``community_id``, by date; the community's own row wins over the county's. One
    query."""
    rows = CanteenDay.objects.filter(date__range=(start, end)).filter(
        Q(community__isnull=True) | Q(community_id=community_id)
    )
    days: dict = {}
    for row in sorted(rows, key=lambda row: row.community_id is not None):
        days[row.date] = row
    return days


def _serves(day: datetime.date, overrides: dict) -> bool:
    row = overrides.get(day)
    if row is not None:
        return row.open
    return day.weekday() in setting("OPEN_WEEKDAYS")


def closure(day: datetime.date, community_id=None) -> str | None:
    """Why the canteen does not serve lunch on ``day`` (None when it does)."""
    overrides = _overrides(day, day, community_id)
    if _serves(day, overrides):
        return None
    row = overrides.get(day)
    return row.reason if row is not None else _("the canteen is closed at weekends")


def open_days_before(day: datetime.date, count: int, community_id=None) -> list[datetime.date]:
    """The ``count`` days the canteen served lunch before ``day``, latest first (its
    usual weekdays, less closures such as public holidays, plus extra days). One query
    per four weeks looked back."""
    days: list[datetime.date] = []
    end = day - datetime.timedelta(days=1)
    while len(days) < count:
        start = end - datetime.timedelta(days=27)
        overrides = _overrides(start, end, community_id)
        current = end
        while current >= start and len(days) < count:
            if _serves(current, overrides):
                days.append(current)
            current -= datetime.timedelta(days=1)
        end = start - datetime.timedelta(days=1)
        if (day - end).days > 366:  # a canteen closed for a year serves no days
            break
    return days


def community_of(resident):
    """The community of ``resident``'s address (one query)."""
    return (
        Resident.objects.filter(pk=resident.pk)
        .values_list("household__building__grid__community_id", flat=True)
        .first()
    )


# --- booking -----------------------------------------------------------------------------


def cutoff_time() -> datetime.time:
    hour, minute = (int(part) for part in setting("CUTOFF").split(":"))
    return datetime.time(hour, minute)


def cutoff_of(day: datetime.date) -> datetime.datetime:
    """When booking and cancelling for ``day`` close."""
    return timezone.make_aware(datetime.datetime.combine(day, cutoff_time()))


def check_open(day: datetime.date, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    if now >= cutoff_of(day):
        raise BookingError(
            _("Bookings for %(day)s closed at %(time)s; please ask the canteen.")
            % {"day": day.isoformat(), "time": cutoff_time().strftime("%H:%M")}
        )


def book(
    resident,
    day: datetime.date,
    *,
    option: str = "",
    by=None,
    channel: str = Meal.Channel.PORTAL,
    delivery: bool = False,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Meal:
    """Book ``resident``'s lunch on ``day``; raises ``BookingError`` with the reason."""
    if not is_eligible(resident, day):
        raise BookingError(
            _(
                "%(name)s is not eligible for the elderly canteen: it is for residents aged "
                "70 and over, and others the committee approves."
            )
            % {"name": resident.name}
        )
    check_open(day, now)
    closed = closure(day, community_of(resident))
    if closed:
        raise BookingError(
            _("The canteen serves no lunch on %(day)s: %(reason)s.")
            % {"day": day.isoformat(), "reason": closed}
        )
    if delivery and not is_homebound(resident):
        raise BookingError(
            _(
                "Delivery is for residents who live alone or are disabled; "
                "please come to the counter."
            )
        )
    diner = Diner.objects.filter(resident_id=resident.pk).first()
    option = option or (diner.option if diner else Option.REGULAR)
    tier = price_tier(resident.birth_date, day)
    values = {
        "option": option,
        "status": Meal.Status.BOOKED,
        "channel": channel,
        "delivery": delivery,
        "note": note[:200],
        "price": Decimal(tier["price"]),
        "subsidy": Decimal(tier["subsidy"]),
        "booked_at": now or timezone.now(),
        "booked_by": by if getattr(by, "pk", None) else None,
    }
    already = _("%(name)s already has a lunch booked on %(day)s.") % {
        "name": resident.name,
        "day": day.isoformat(),
    }
    try:
        with transaction.atomic():
            meal, created = Meal.objects.get_or_create(
                resident_id=resident.pk, date=day, defaults=values
            )
    except IntegrityError:  # a concurrent booking of the same person and day won
        raise BookingError(already) from None
    if created:
        return meal
    # Booked again after a cancellation: the same row comes back (still one a day).
    updated = Meal.objects.filter(pk=meal.pk, status=Meal.Status.CANCELLED).update(**values)
    if not updated:
        raise BookingError(already)
    meal.refresh_from_db()
    return meal


def cancel(meal: Meal, now: datetime.datetime | None = None) -> None:
    check_open(meal.date, now)
    if meal.taken:
        raise BookingError(_("This lunch has already been served."))
    Meal.objects.filter(pk=meal.pk).update(status=Meal.Status.CANCELLED)


# --- the portal's identification (no account) -----------------------------------------------


def _normal_room(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch.isalnum() and ch not in "室号单元")


def identify(name: str, building, room: str, phone_last4: str):
    """The resident called ``name`` in ``building`` and ``room`` whose phone ends in
    ``phone_last4``, else None. Phones are stored encrypted, so the last four digits are
    compared here, among the few residents of that name at that address."""
    typed = _normal_room(room)
    digits = "".join(ch for ch in phone_last4 if ch.isdigit())
    if not (name and building and typed and len(digits) == 4):
        return None
    candidates = Resident.objects.filter(
        name=name.strip(), household__building=building
    ).select_related("household")
    for resident in candidates:
        household = resident.household
        unit, number = _normal_room(household.unit), _normal_room(household.room)
        unit_digits = "".join(ch for ch in unit if ch.isdigit())
        if typed not in (number, unit + number, unit_digits + number):
            continue
        phone = "".join(ch for ch in (resident.phone or "") if ch.isdigit())
        if phone and phone[-4:] == digits:
            return resident
    return None


# --- the counter --------------------------------------------------------------------------


def counter_search(query: str, day: datetime.date, user, limit: int = 20) -> list:
    """Eligible residents whose name or room matches ``query``, each with ``meal`` (their
    meal of ``day`` or None). Two queries, whatever the size."""
    query = (query or "").strip()[:50]
    if not query:
        return []
    residents = list(
        visible(eligible_residents(day), user)
        .filter(Q(name__icontains=query) | Q(household__room__startswith=query))
        .select_related("household__building", "elderly_diner")
        .order_by("household__building__sort_order", "household__room", "name")[:limit]
    )
    meals = {
        meal.resident_id: meal
        for meal in Meal.objects.filter(date=day, resident__in=[r.pk for r in residents])
    }
    for resident in residents:
        resident.meal = meals.get(resident.pk)
    return residents


def check_in(resident, day: datetime.date, by=None, now=None) -> tuple[Meal, bool]:
    """Mark ``resident`` served on ``day``: their booking, or a walk-in. Returns the meal
    and whether this call served it (a double tap finds it served and changes nothing).
    At most four queries."""
    now = now or timezone.now()
    served = Meal.objects.filter(resident_id=resident.pk, date=day, served_at__isnull=True).update(
        served_at=now, status=Meal.Status.BOOKED
    )
    if served:
        return Meal.objects.get(resident_id=resident.pk, date=day), True
    tier = price_tier(resident.birth_date, day)
    try:
        with transaction.atomic():
            meal = Meal.objects.create(
                resident_id=resident.pk,
                date=day,
                channel=Meal.Channel.WALK_IN,
                price=Decimal(tier["price"]),
                subsidy=Decimal(tier["subsidy"]),
                booked_by=by if getattr(by, "pk", None) else None,
                booked_at=now,
                served_at=now,
            )
    except IntegrityError:  # already served (a double tap), or served concurrently
        return Meal.objects.get(resident_id=resident.pk, date=day), False
    return meal, True


# --- the kitchen ---------------------------------------------------------------------------


@dataclass
class Headcount:
    day: datetime.date
    by_option: list  # [(option value, label, counter, delivery, total)]
    counter: int
    delivery: int
    total: int


def headcount(day: datetime.date, user=None, community=None) -> Headcount:
    """Lunches booked for ``day`` per option, at the counter and delivered. One query."""
    meals = Meal.objects.filter(date=day, status=Meal.Status.BOOKED)
    if community is not None:
        meals = meals.filter(resident__community=community)
    if user is not None:
        meals = visible(meals, user)
    rows = meals.values("option", "delivery").annotate(n=Count("id")).order_by()
    counts: dict = {}
    for row in rows:
        counts[(row["option"], row["delivery"])] = row["n"]
    by_option = []
    for value, label in Option.choices:
        counter, delivered = counts.get((value, False), 0), counts.get((value, True), 0)
        by_option.append((value, label, counter, delivered, counter + delivered))
    counter = sum(row[2] for row in by_option)
    delivery = sum(row[3] for row in by_option)
    return Headcount(day, by_option, counter, delivery, counter + delivery)


def delivery_list(day: datetime.date, user):
    """The homebound's lunches of ``day``, in the order of the round: building, unit,
    room."""
    return (
        visible(Meal.objects.filter(date=day, status=Meal.Status.BOOKED, delivery=True), user)
        .select_related("resident__household__building", "resident__elderly_diner")
        .order_by(
            "resident__household__building__sort_order",
            "resident__household__building__name",
            "resident__household__unit",
            "resident__household__room",
            "resident__name",
        )
    )


def mark_delivered(meal_id: int, user, now=None) -> bool:
    meals = visible(Meal.objects.filter(pk=meal_id, delivery=True), user)
    return bool(meals.filter(delivered_at__isnull=True).update(delivered_at=now or timezone.now()))


# --- statements and the bureau's report -------------------------------------------------------


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following


def taken_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}served_at__isnull": False}) | Q(
        **{f"{prefix}delivered_at__isnull": False}
    )


def statement(resident, month: datetime.date) -> dict:
    """One person's month: every lunch taken, the price, the county's share and theirs."""
    first, following = month_bounds(month)
    meals = list(
        Meal.objects.filter(resident_id=resident.pk, date__gte=first, date__lt=following)
        .filter(taken_q())
        .order_by("date")
    )
    price = sum((m.price for m in meals), Decimal(0))
    subsidy = sum((m.subsidy for m in meals), Decimal(0))
    return {
        "resident": resident,
        "month": first,
        "meals": meals,
        "count": len(meals),
        "price": price,
        "subsidy": subsidy,
        "self_pay": price - subsidy,
    }


def bureau_rows(month: datetime.date, user):
    """Per person: meals taken in ``month`` and the subsidy the county owes. One query."""
    first, following = month_bounds(month)
    return (
        visible(Meal.objects.filter(date__gte=first, date__lt=following).filter(taken_q()), user)
        .values(
            "resident_id",
            "resident__name",
            "resident__birth_date",
            "resident__household__building__grid__name",
            "resident__household__building__name",
            "resident__household__unit",
            "resident__household__room",
        )
        .annotate(meals=Count("id"), price=Sum("price"), subsidy=Sum("subsidy"))
        .order_by(
            "resident__household__building__grid__name",
            "resident__household__building__name",
            "resident__household__room",
            "resident__name",
        )
    )


def bureau_workbook(month: datetime.date, user):
    """The monthly report for the civil-affairs bureau (民政局), as an openpyxl workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    first, _following = month_bounds(month)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Meals %(month)s") % {"month": first.strftime("%Y-%m")}
    sheet.append(
        [
            _("Elderly canteen: meals and county subsidy, %(month)s")
            % {"month": first.strftime("%Y-%m")}
        ]
    )
    sheet["A1"].font = Font(bold=True)
    headers = [
        _("grid"),
        _("address"),
        _("name"),
        _("age"),
        _("meals"),
        _("price"),
        _("county subsidy"),
        _("self-pay"),
    ]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    total_meals, total_price, total_subsidy = 0, Decimal(0), Decimal(0)
    for row in bureau_rows(month, user):
        address = "".join(
            row[key] or ""
            for key in (
                "resident__household__building__name",
                "resident__household__unit",
                "resident__household__room",
            )
        )
        born = row["resident__birth_date"]
        sheet.append(
            [
                row["resident__household__building__grid__name"],
                address,
                row["resident__name"],
                age_on(born, first) if born else None,
                row["meals"],
                float(row["price"]),
                float(row["subsidy"]),
                float(row["price"] - row["subsidy"]),
            ]
        )
        total_meals += row["meals"]
        total_price += row["price"]
        total_subsidy += row["subsidy"]
    sheet.append(
        [
            _("total"),
            "",
            "",
            None,
            total_meals,
            float(total_price),
            float(total_subsidy),
            float(total_price - total_subsidy),
        ]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGH", (12, 18, 10, 6, 8, 10, 12, 10), strict=True):
        sheet.column_dimensions[column].width = width
    return workbook


# --- figures ------------------------------------------------------------------------------


def coverage_by_grid(month: datetime.date, user) -> list[dict]:
    """Per grid: eligible elders, how many ate here at least once in ``month``, and the
    share. Two queries."""
    from anju.community import Grid

    first, following = month_bounds(month)
    ate = Meal.objects.filter(
        resident_id=OuterRef("pk"), date__gte=first, date__lt=following
    ).filter(taken_q())
    rows = (
        visible(eligible_residents(following - datetime.timedelta(days=1)), user)
        .annotate(ate=Exists(ate))
        .values("household__building__grid_id")
        .annotate(eligible=Count("id"), served=Count("id", filter=Q(ate=True)))
        .order_by()
    )
    counts = {row["household__building__grid_id"]: row for row in rows}
    grids = Grid.objects.filter(pk__in=list(counts)).order_by("community_id", "number")
    result = []
    for grid in grids:
        row = counts[grid.pk]
        share = round(100 * row["served"] / row["eligible"]) if row["eligible"] else 0
        result.append(
            {"grid": grid, "eligible": row["eligible"], "served": row["served"], "share": share}
        )
    return result


def meals_per_day(month: datetime.date, user) -> list[dict]:
    first, following = month_bounds(month)
    return list(
        visible(Meal.objects.filter(date__gte=first, date__lt=following).filter(taken_q()), user)
        .values("date")
        .annotate(meals=Count("id"), delivered=Count("id", filter=Q(delivery=True)))
        .order_by("date")
    )
