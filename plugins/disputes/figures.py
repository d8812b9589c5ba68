"""The figures the community reports: "20 disputes this year, 100% resolved".

``dispute_figures(disputes, start=, end=, grid=)`` is a plain function over a queryset
already narrowed to what the viewer may see (``handling.visible_disputes``); it answers in
three queries whatever the number of disputes. It counts the disputes *raised* in the
period (by the filing date of their case) and what has become of them:

- ``raised``: disputes filed in the period;
- ``resolved``: of those, settled in the grid or in the community (the outcome, read
  from the case: ``Dispute.outcome`` / ``DisputeQuerySet.with_state``);
- ``referred``, ``withdrawn``, ``open``: the others;
- ``resolution_rate``: resolved ÷ (raised − withdrawn) — a dispute the parties dropped
  is neither a success nor a failure of mediation; None when nothing counts;
- ``within_grid_share``: resolved in the grid ÷ resolved ("small matters stay in the
  grid", 小事不出网格); None when nothing was resolved;
- ``median_days_to_resolve``: median of (resolved − filed) in days over the resolved
  disputes, to one decimal;
- ``by_type``: raised and resolved per type of dispute, every type listed.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from .models import RESOLVED_OUTCOMES, DisputeType, Outcome

_RESOLVED = Q(current_outcome__in=RESOLVED_OUTCOMES)


@dataclass
class DisputeFigures:
    start: datetime.date | None
    end: datetime.date | None
    grid: int | None = None
    raised: int = 0
    resolved: int = 0
    resolved_in_grid: int = 0
    resolved_in_community: int = 0
    referred: int = 0
    withdrawn: int = 0
    open: int = 0
    resolution_rate: float | None = None
    within_grid_share: float | None = None
    median_days_to_resolve: float | None = None
    by_type: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start else None
        data["end"] = self.end.isoformat() if self.end else None
        return data


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def raised_in(disputes, start=None, end=None, grid=None):
    """Disputes whose case was filed from ``start`` to ``end`` inclusive (local dates),
    in ``grid`` (a Grid or its id) if given."""
    if start:
        disputes = disputes.filter(case__created_at__gte=_local_midnight(start))
    if end:
        disputes = disputes.filter(
            case__created_at__lt=_local_midnight(end + datetime.timedelta(days=1))
        )
    if grid is not None:
        disputes = disputes.filter(case__grid=grid)
    return disputes


def dispute_figures(disputes, *, start=None, end=None, grid=None) -> DisputeFigures:
    disputes = raised_in(disputes.order_by(), start, end, grid).with_state()
    figures = DisputeFigures(start=start, end=end, grid=getattr(grid, "pk", grid))
    totals = disputes.aggregate(
        raised=Count("pk"),
        resolved=Count("pk", filter=_RESOLVED),
        in_grid=Count("pk", filter=Q(current_outcome=Outcome.RESOLVED_IN_GRID)),
        in_community=Count("pk", filter=Q(current_outcome=Outcome.RESOLVED_IN_COMMUNITY)),
        referred=Count("pk", filter=Q(current_outcome=Outcome.REFERRED)),
        withdrawn=Count("pk", filter=Q(current_outcome=Outcome.WITHDRAWN)),
        open=Count("pk", filter=Q(current_outcome="")),
    )
    figures.raised = totals["raised"]
    figures.resolved = totals["resolved"]
    figures.resolved_in_grid = totals["in_grid"]
    figures.resolved_in_community = totals["in_community"]
    figures.referred = totals["referred"]
    figures.withdrawn = totals["withdrawn"]
    figures.open = totals["open"]
    counted = figures.raised - figures.withdrawn
    if counted:
        figures.resolution_rate = round(figures.resolved / counted, 4)
    if figures.resolved:
        figures.within_grid_share = round(figures.resolved_in_grid / figures.resolved, 4)

    spans = disputes.filter(_RESOLVED).values_list("case__created_at", "case__resolved_at")
    days = [(ended - filed).total_seconds() / 86400 for filed, ended in spans]
    if days:
        figures.median_days_to_resolve = round(statistics.median(days), 1)

    per_type = {
        row["dispute_type"]: row
        for row in disputes.values("dispute_type").annotate(
            raised=Count("pk"), resolved=Count("pk", filter=_RESOLVED)
        )
    }
    figures.by_type = [
        {
            "type": value,
            "label": str(label),
            "raised": per_type.get(value, {}).get("raised", 0),
            "resolved": per_type.get(value, {}).get("resolved", 0),
        }
        for value, label in DisputeType.choices
    ]
    return figures


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
