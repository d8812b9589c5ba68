"""The welfare check (关爱探访): an eligible resident who lives alone, usually eats at the
canteen, and has neither come nor booked for two working days becomes a check for
their grid worker, who visits and marks it checked (with a visit in the visit log).

"Usually eats here": at least ``USUAL_MEALS`` lunches taken in the ``USUAL_WINDOW``
working days before the two missed ones (plugin settings). Working days are the days
the canteen served lunch: public holidays and other closures do not count as missed.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.community import Community, SpecialGroup, Visit

from . import canteen
from .models import Meal, WelfareCheck


def working_days_before(day: datetime.date, count: int, community_id=None) -> list[datetime.date]:
    """The ``count`` days before ``day`` the canteen served lunch, latest first: its
    weekdays less public holidays and other closures, plus extra days (调休)."""
    return canteen.open_days_before(day, count, community_id)


def due_residents(today: datetime.date | None = None, community_id=None):
    """Residents who should be checked on today (and have no open check): of
    ``community_id``, counting the days its canteen served; without one, every
    community's, counting the county's days. One query (and one for the days)."""
    today = today or timezone.localdate()
    missed = working_days_before(today, canteen.setting("ABSENT_DAYS"), community_id)
    window = working_days_before(missed[-1], canteen.setting("USUAL_WINDOW"), community_id)
    residents = canteen.eligible_residents(today)
    if community_id is not None:
        residents = residents.filter(household__building__grid__community_id=community_id)
    usual = (
        Meal.objects.filter(resident_id=OuterRef("pk"), date__gte=window[-1], date__lt=missed[-1])
        .filter(canteen.taken_q())
        .order_by()
        .values("resident_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    recent = Meal.objects.filter(
        resident_id=OuterRef("pk"), date__gte=missed[-1], date__lte=today
    ).exclude(status=Meal.Status.CANCELLED, served_at__isnull=True, delivered_at__isnull=True)
    last = (
        Meal.objects.filter(resident_id=OuterRef("pk"))
        .filter(canteen.taken_q())
        .order_by("-date")
        .values("date")[:1]
    )
    open_check = WelfareCheck.objects.filter(resident_id=OuterRef("pk"), checked_at__isnull=True)
    return (
        residents.filter(groups__code=SpecialGroup.LIVING_ALONE)
        .annotate(
            usual_meals=Coalesce(Subquery(usual), 0),
            came=Exists(recent),
            has_open=Exists(open_check),
            last_meal=Subquery(last),
        )
        .filter(usual_meals__gte=canteen.setting("USUAL_MEALS"), came=False, has_open=False)
        .distinct()
    )


def raise_checks(today: datetime.date | None = None) -> int:
    """Open a check for each resident due; returns how many were opened."""
    today = today or timezone.localdate()
    checks = [
        WelfareCheck(resident_id=row["pk"], raised_on=today, last_meal=row["last_meal"])
        for community_id in Community.objects.values_list("pk", flat=True)
        for row in due_residents(today, community_id).values("pk", "last_meal")
    ]
    WelfareCheck.objects.bulk_create(checks, ignore_conflicts=True)
    return len(checks)


def open_checks(user):
    """Checks still to do, of the grids ``user`` may see (grid data: no canteen-wide
    view; the visit is the grid team's)."""
    from anju.permissions import scope_queryset

    return scope_queryset(
        WelfareCheck.objects.filter(checked_at__isnull=True), user
    ).select_related("resident__household__building__grid")


def visible_checks(user):
    from anju.permissions import scope_queryset

    return scope_queryset(WelfareCheck.objects.all(), user).select_related(
        "resident__household__building__grid", "visit", "checked_by"
    )


class AlreadyChecked(Exception):
    pass


def mark_checked(check: WelfareCheck, user, note: str, channel: str = "in_person") -> Visit:
    """The grid worker went: record the visit in the household's visit log and close the
    check. A second submission finds it closed (``AlreadyChecked``)."""
    with transaction.atomic():
        locked = WelfareCheck.objects.select_for_update().get(pk=check.pk)
        if locked.checked_at is not None:
            raise AlreadyChecked
        visit = Visit.objects.create(
            household_id=check.resident.household_id,
            visitor=user,
            channel=channel,
            basic_situation=_("Welfare check (elderly canteen): %(note)s") % {"note": note},
        )
        WelfareCheck.objects.filter(pk=check.pk).update(
            visit=visit, checked_at=timezone.now(), checked_by=user, note=note
        )
    return visit


def due_by_household(household_ids, user) -> dict:
    """{household id: [open checks]} for ``household_ids`` visible to ``user``. One query."""
    result: dict = {}
    checks = open_checks(user).filter(resident__household_id__in=list(household_ids))
    for check in checks.filter(Q(resident__isnull=False)):
        result.setdefault(check.resident.household_id, []).append(check)
    return result


def due_items(households, user) -> dict:
    """The batched source behind the campaigns' due list (declared in ``campaigns.py``):
    {household id: [(label, url)]}
    for the open welfare checks of ``households``. One query."""
    from django.urls import reverse

    ids = [getattr(household, "pk", household) for household in households]
    return {
        household_id: [
            (
                _("Welfare check: %(name)s") % {"name": check.resident.name},
                reverse("elderly_admin:welfare_check", args=[check.pk]),
            )
            for check in checks
        ]
        for household_id, checks in due_by_household(ids, user).items()
    }
