"""Delivery to every household (入户传达): which targeted households of a notice have
been reached, per grid, and recording a reach.

Everything here is scoped by the same rule as the rest of the staff interface: a grid
worker sees and records only their own grids' households.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from anju.community.models import Grid, Household
from anju.permissions.scope import scope_queryset

from .models import DeliveryChannel, NoticeDelivery, NoticePage


def notices_to_deliver():
    """Live notices marked "must reach every household", newest first."""
    return (
        NoticePage.objects.live()
        .filter(must_reach_every_household=True)
        .order_by("-first_published_at", "-pk")
    )


@dataclass(frozen=True)
class GridDelivery:
    grid: Grid
    targeted: int
    reached: int

    @property
    def remaining(self) -> int:
        return self.targeted - self.reached

    @property
    def percent(self) -> int | None:
        return round(self.reached * 100 / self.targeted) if self.targeted else None


def coverage(notice: NoticePage, user) -> list[GridDelivery]:
    """Reached / targeted households per grid the user may see, in one query."""
    targeted = notice.targeted_households()
    targeted_in_grid = (
        Household.objects.filter(pk__in=targeted.values("pk"), building__grid=OuterRef("pk"))
        .order_by()
        .values("building__grid")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reached_in_grid = (
        NoticeDelivery.objects.filter(
            notice=notice,
            household__building__grid=OuterRef("pk"),
            household__in=targeted.values("pk"),
        )
        .order_by()
        .values("household__building__grid")
        .annotate(n=Count("pk"))
        .values("n")
    )
    grids = scope_queryset(Grid.objects.all(), user).select_related("community")
    rows = grids.annotate(
        targeted_count=Coalesce(Subquery(targeted_in_grid, output_field=IntegerField()), Value(0)),
        reached_count=Coalesce(Subquery(reached_in_grid, output_field=IntegerField()), Value(0)),
    ).filter(targeted_count__gt=0)
    return [GridDelivery(g, g.targeted_count, g.reached_count) for g in rows]


def households(notice: NoticePage, user, reached: bool | None = None):
    """The targeted households the user may see, annotated ``is_reached``; filtered to
    reached or unreached ones when asked."""
    delivered = NoticeDelivery.objects.filter(notice=notice, household=OuterRef("pk"))
    queryset = (
        scope_queryset(notice.targeted_households(), user)
        .select_related("building__grid", "head")
        .annotate(is_reached=Exists(delivered))
        .order_by(
            "building__grid__number", "building__sort_order", "building__name", "unit", "room"
        )
    )
    if reached is not None:
        queryset = queryset.filter(is_reached=reached)
    return queryset


class DeliveryError(Exception):
    """A reach that cannot be recorded; the message is for the person recording it."""


def record(
    notice: NoticePage, household_id: int, channel: str, user
) -> tuple[NoticeDelivery, bool]:
    """Record that a household has been reached. Idempotent: recording the same
    household twice keeps the first record and returns it with created=False."""
    from django.utils.translation import gettext as _

    if channel not in DeliveryChannel.values:
        raise DeliveryError(_("Choose how the household was reached."))
    if not notice.must_reach_every_household or not notice.live:
        raise DeliveryError(_("This notice does not need to reach every household."))
    household = households(notice, user).filter(pk=household_id).first()
    if household is None:
        # Not targeted, not in the user's grids, or no such household: all look the same.
        raise DeliveryError(_("This household is not one you can record for this notice."))
    existing = NoticeDelivery.objects.filter(notice=notice, household=household).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return (
                NoticeDelivery.objects.create(
                    notice=notice, household=household, channel=channel, reached_by=user
                ),
                True,
            )
    except IntegrityError:  # recorded by someone else a moment ago
        return NoticeDelivery.objects.get(notice=notice, household=household), False


__all__ = ["coverage", "households", "record", "notices_to_deliver", "DeliveryError"]
