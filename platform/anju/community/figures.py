"""Figures about the grids: visit coverage (走访覆盖率) over a period."""

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Grid, Household, Visit

MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Coverage:
    grid: Grid
    households: int
    visited: int  # households with at least one visit in the period

    @property
    def share(self) -> float | None:
        return self.visited / self.households if self.households else None

    @property
    def percent(self) -> int | None:
        return round(self.share * 100) if self.share is not None else None


def visit_coverage(grids: QuerySet, start: datetime.date, end: datetime.date) -> list[Coverage]:
    """Households visited / households, per grid, for visits dated start..end (inclusive).
    One query, however many grids."""
    households = (
        Household.objects.filter(building__grid=OuterRef("pk"))
        .order_by()
        .values("building__grid")
        .annotate(n=Count("pk"))
        .values("n")
    )
    visited = (
        Visit.objects.filter(
            household__building__grid=OuterRef("pk"), visited_on__range=(start, end)
        )
        .order_by()
        .values("household__building__grid")
        .annotate(n=Count("household", distinct=True))
        .values("n")
    )
    rows = grids.select_related("community").annotate(
        household_count=Coalesce(Subquery(households, output_field=IntegerField()), Value(0)),
        visited_count=Coalesce(Subquery(visited, output_field=IntegerField()), Value(0)),
    )
    return [Coverage(row, row.household_count, row.visited_count) for row in rows]


def this_month() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return today.replace(day=1), today


class PeriodForm(forms.Form):
    """A period of at most a year, start before end; empty means this month."""

    start = forms.DateField(label=_("from"), required=False)
    end = forms.DateField(label=_("to"), required=False)

    def clean(self):
        data = super().clean()
        default_start, default_end = this_month()
        start = data.get("start") or default_start
        end = data.get("end") or default_end
        if "start" in self.errors or "end" in self.errors:
            return data
        if start > end:
            raise ValidationError(_("The start of the period must not be after its end."))
        if (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError(_("Choose a period of at most one year."))
        data["start"], data["end"] = start, end
        return data
