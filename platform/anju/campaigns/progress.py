"""Progress per campaign round and grid: reached, done, to revisit, refused, overdue —
one grouped query over the targets the viewer may see, whatever their number. A grid
lags when the share of its targets settled is well below its round's."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from .models import DUE_OUTCOMES, Outcome, Round
from .visibility import visible_targets

#: A grid lags when its settled share is this much below its round's.
LAG_MARGIN = 0.15


@dataclass
class Figures:
    total: int = 0
    reached: int = 0
    done: int = 0
    not_home: int = 0
    refused: int = 0
    moved_out: int = 0
    follow_up: int = 0
    overdue: int = 0
    lagging: bool = False

    @property
    def settled(self) -> int:
        return self.done + self.refused + self.moved_out

    @property
    def rate(self) -> float:
        return self.settled / self.total if self.total else 1.0

    @property
    def percent(self) -> int:
        return round(self.rate * 100)

    def add(self, other: Figures) -> None:
        for name in (
            "total",
            "reached",
            "done",
            "not_home",
            "refused",
            "moved_out",
            "follow_up",
            "overdue",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["settled"] = self.settled
        data["percent"] = self.percent
        return data


@dataclass
class GridRow:
    grid_id: int | None
    grid_name: str
    figures: Figures


@dataclass
class RoundProgress:
    round: Round
    figures: Figures = field(default_factory=Figures)
    grids: list[GridRow] = field(default_factory=list)

    @property
    def lagging_grids(self) -> list[GridRow]:
        return [row for row in self.grids if row.figures.lagging]


def progress(user, rounds, today: datetime.date | None = None) -> list[RoundProgress]:
    """Figures for each of ``rounds`` (a Round queryset or list), per grid, counted over
    the targets ``user`` may see. Two queries: the rounds, the grouped counts."""
    today = today or timezone.localdate()
    rounds = list(rounds)
    by_id = {r.pk: RoundProgress(round=r) for r in rounds}
    due = Q(outcome__in=DUE_OUTCOMES)
    rows = (
        visible_targets(user)
        .filter(round__in=[r.pk for r in rounds], active=True)
        .values("round_id", "grid_id", "grid_name")
        .annotate(
            total=Count("pk"),
            reached=Count("pk", filter=~Q(outcome=Outcome.PENDING)),
            done=Count("pk", filter=Q(outcome=Outcome.DONE)),
            not_home=Count("pk", filter=Q(outcome=Outcome.NOT_HOME)),
            refused=Count("pk", filter=Q(outcome=Outcome.REFUSED)),
            moved_out=Count("pk", filter=Q(outcome=Outcome.MOVED_OUT)),
            follow_up=Count("pk", filter=Q(outcome=Outcome.FOLLOW_UP)),
            still_due=Count("pk", filter=due),
        )
        .order_by("round_id", "grid__number", "grid_name")
    )
    for row in rows:
        entry = by_id[row["round_id"]]
        overdue = row["still_due"] if entry.round.is_overdue(today) else 0
        figures = Figures(
            total=row["total"],
            reached=row["reached"],
            done=row["done"],
            not_home=row["not_home"],
            refused=row["refused"],
            moved_out=row["moved_out"],
            follow_up=row["follow_up"],
            overdue=overdue,
        )
        entry.grids.append(GridRow(row["grid_id"], row["grid_name"], figures))
        entry.figures.add(figures)
    for entry in by_id.values():
        if len(entry.grids) > 1:
            for row in entry.grids:
                row.figures.lagging = row.figures.rate < entry.figures.rate - LAG_MARGIN
    return [by_id[r.pk] for r in rounds]
