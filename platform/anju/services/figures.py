"""Figures about cases: what the committee reports and the inbox dashboards show.

``compute(cases, start=..., end=...)`` takes a queryset already narrowed to what the
viewer may see (``visibility.visible_cases``) and answers in a fixed number of queries
whatever its size:

- filed, open, resolved, closed, rejected in the period (by filing date);
- open and done (resolved or closed) by grid, by service and by month;
- the share of done cases dealt with in the grid (never escalated): "small matters stay
  in the grid" (小事不出网格) as a number;
- the median hours from filing to resolution;
- SLA breaches (cases that ran over a deadline), and average satisfaction.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import asdict, dataclass, field

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DONE_STATUSES, OPEN_STATUSES, Level, Status

_OPEN = Q(status__in=OPEN_STATUSES)
_DONE = Q(status__in=DONE_STATUSES)


@dataclass
class Figures:
    start: datetime.date | None
    end: datetime.date | None
    filed: int = 0
    open: int = 0
    resolved: int = 0
    closed: int = 0
    rejected: int = 0
    escalated: int = 0
    sla_breaches: int = 0
    resolved_within_grid: int = 0
    resolved_within_grid_share: float | None = None
    median_hours_to_resolve: float | None = None
    average_satisfaction: float | None = None
    by_grid: list[dict] = field(default_factory=list)
    by_service: list[dict] = field(default_factory=list)
    by_month: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start else None
        data["end"] = self.end.isoformat() if self.end else None
        return data


def in_period(cases, start: datetime.date | None = None, end: datetime.date | None = None):
    """Cases filed from ``start`` to ``end`` inclusive (local dates)."""
    tz = timezone.get_current_timezone()
    if start:
        cases = cases.filter(
            created_at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
        )
    if end:
        cases = cases.filter(
            created_at__lt=datetime.datetime.combine(
                end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
        )
    return cases


def compute(cases, *, start=None, end=None) -> Figures:
    cases = in_period(cases.order_by(), start, end)
    figures = Figures(start=start, end=end)
    totals = cases.aggregate(
        filed=Count("pk"),
        open=Count("pk", filter=_OPEN),
        resolved=Count("pk", filter=Q(status=Status.RESOLVED)),
        closed=Count("pk", filter=Q(status=Status.CLOSED)),
        rejected=Count("pk", filter=Q(status=Status.REJECTED)),
        escalated=Count("pk", filter=Q(level=Level.COMMUNITY)),
        sla_breaches=Count("pk", filter=Q(sla_breached=True)),
        within_grid=Count("pk", filter=_DONE & Q(level=Level.GRID)),
        satisfaction=Avg("satisfaction"),
    )
    for name in ("filed", "open", "resolved", "closed", "rejected", "escalated", "sla_breaches"):
        setattr(figures, name, totals[name])
    figures.resolved_within_grid = totals["within_grid"]
    done = figures.resolved + figures.closed
    if done:
        figures.resolved_within_grid_share = round(totals["within_grid"] / done, 4)
    if totals["satisfaction"] is not None:
        figures.average_satisfaction = round(float(totals["satisfaction"]), 2)

    durations = (
        cases.filter(_DONE, resolved_at__isnull=False)
        .annotate(took=ExpressionWrapper(F("resolved_at") - F("created_at"), DurationField()))
        .values_list("took", flat=True)
    )
    hours = [d.total_seconds() / 3600 for d in durations.iterator(chunk_size=5000)]
    if hours:
        figures.median_hours_to_resolve = round(statistics.median(hours), 2)

    counts = {
        "total": Count("pk"),
        "open": Count("pk", filter=_OPEN),
        "done": Count("pk", filter=_DONE),
    }
    figures.by_grid = [
        {
            "grid_id": row["grid_id"],
            "grid": row["grid__name"] or _("No grid"),
            "total": row["total"],
            "open": row["open"],
            "done": row["done"],
            "within_grid": row["within_grid"],
        }
        for row in cases.values("grid_id", "grid__name")
        .annotate(**counts, within_grid=Count("pk", filter=_DONE & Q(level=Level.GRID)))
        .order_by("grid__number", "grid_id")
    ]
    figures.by_service = [
        {
            "service_id": row["service_id"],
            "service": row["service__title"],
            "total": row["total"],
            "open": row["open"],
            "done": row["done"],
        }
        for row in cases.values("service_id", "service__title")
        .annotate(**counts)
        .order_by("service__title")
    ]
    figures.by_month = [
        {
            "month": row["month"].strftime("%Y-%m") if row["month"] else None,
            "total": row["total"],
            "open": row["open"],
            "done": row["done"],
        }
        for row in cases.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(**counts)
        .order_by("month")
    ]
    return figures
