"""The board: every tile a user may see, counted for a month over the grids they may
see, added up for the community, with what the charts draw. The home panel, the
printable report and the workbook all read ``build_board``; none counts on its own.

Queries: the grids (one), one per tile (notice reach: two), the trend (two) — the same
whatever the number of grids, households or cases.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from dataclasses import dataclass, field

from django.core.cache import cache as django_cache
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.community.models import Grid, Visit
from anju.permissions.scope import visible_grids
from anju.plugins import activation
from anju.plugins.registry import DashboardTile, contributions
from anju.services.models import DONE_STATUSES
from anju.services.visibility import visible_cases

from .tiles import CORE_TILES, in_board, local_bounds

logger = logging.getLogger("anju.dashboard")

#: Months the trend chart shows, the board's month last.
TREND_MONTHS = 6


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of ``month``'s month."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class TileResult:
    tile: DashboardTile
    plugin: str  # "core" or the plugin's label
    per_grid: dict = field(default_factory=dict)  # {grid id: {key: count}}
    sums: dict = field(default_factory=dict)  # {key: count} over everything counted
    failed: bool = False

    @property
    def code(self) -> str:
        return self.tile.code

    @property
    def label(self):
        return self.tile.label

    @property
    def figures(self):
        return self.tile.figures

    def total(self) -> list:
        """[(figure, value)] for the community (or the user's grids)."""
        return [(figure, figure.value(self.sums)) for figure in self.tile.figures]

    def for_grid(self, grid_id) -> list:
        counts = self.per_grid.get(grid_id, {})
        return [(figure, figure.value(counts)) for figure in self.tile.figures]

    @property
    def headline(self):
        """The figure the "grids side by side" chart draws: the first rate, else the
        first figure."""
        rates = [f for f in self.tile.figures if f.rate]
        return (rates or list(self.tile.figures))[0]


@dataclass
class Board:
    start: datetime.date
    end: datetime.date
    grids: list
    tiles: list[TileResult]
    trend: list[dict]

    @property
    def month(self) -> datetime.date:
        return self.start

    def grid_rows(self) -> list[tuple]:
        """[(grid, [(tile, [(figure, value)])])] in grid order."""
        return [(grid, [(t, t.for_grid(grid.pk)) for t in self.tiles]) for grid in self.grids]

    def chart_data(self) -> dict:
        """What dashboard.js draws: the trend by month and each tile's headline figure
        per grid, side by side."""
        grids = []
        for tile in self.tiles:
            figure = tile.headline
            values = [figure.value(tile.per_grid.get(g.pk, {})) for g in self.grids]
            grids.append(
                {
                    "label": f"{tile.label} · {figure.label}",
                    "percent": bool(figure.rate),
                    "values": [
                        None if v is None else (round(v * 100, 1) if figure.rate else v)
                        for v in values
                    ],
                }
            )
        return {
            "grid_names": [g.name for g in self.grids],
            "grids": grids,
            "months": [row["month"] for row in self.trend],
            "trend": [
                {"key": key, "label": str(label), "values": [row[key] for row in self.trend]}
                for key, label in TREND_SERIES
            ],
        }


TREND_SERIES = (
    ("filed", _("Cases filed")),
    ("resolved", _("Cases resolved")),
    ("visited", _("Households visited")),
)


def tiles_for(user, community) -> list[tuple[str, DashboardTile]]:
    """(plugin label or "core", tile) the user may see, in order: the core's, then
    those of the plugins active in ``community``."""
    found = [("core", tile) for tile in CORE_TILES]
    found += [(c.plugin, c.item) for c in contributions("dashboard_tiles", _active(community))]
    allowed = [
        (plugin, tile)
        for plugin, tile in found
        if tile.permission is None or user.has_perm(tile.permission)
    ]
    return sorted(allowed, key=lambda pair: (pair[1].order, pair[1].code))


def _active(community) -> frozenset[str]:
    return activation.active_plugins(community)


def board_grids(user, community):
    grids = visible_grids(user)
    if community is not None:
        grids = grids.filter(community=community)
    return grids.order_by("number", "pk")


def count_tile(plugin: str, tile: DashboardTile, user, grids, start, end) -> TileResult:
    """One tile's counts; a plugin's tile that raises is logged and shown as failed,
    never a broken page."""
    result = TileResult(tile, plugin)
    try:
        per_grid = tile.counts(user, grids, start, end) or {}
    except Exception:
        if plugin == "core":
            raise
        logger.exception("Dashboard tile %s of plugin %s failed", tile.code, plugin)
        result.failed = True
        return result
    result.per_grid = {k: dict(v) for k, v in per_grid.items()}
    sums: dict = {}
    for counts in result.per_grid.values():
        for key, value in counts.items():
            sums[key] = sums.get(key, 0) + (value or 0)
    result.sums = sums
    return result


def trend(
    user,
    grids,
    end: datetime.date,
    months: int = TREND_MONTHS,
    grid_list: list | None = None,
    this_month: int | None = None,
) -> list[dict]:
    """Per month up to ``end``'s: cases filed and resolved, households visited. One
    query for the cases (grouped by filing month with the resolutions beside); the
    visits: past months from the cache (``anju.dashboard.visited``; one query for those
    missing), ``end``'s month ``this_month`` when the visit coverage tile counted it,
    else one query. ``grid_list``: the grids of ``grids``, when already fetched."""
    first = add_months(end.replace(day=1), -(months - 1))
    since, until = local_bounds(first, month_bounds(end)[1])
    rows = {add_months(first, i): {"filed": 0, "resolved": 0, "visited": 0} for i in range(months)}
    cases = in_board(visible_cases(user), grids)  # as the cases tile counts them
    tz = timezone.get_current_timezone()
    filed = (
        cases.filter(created_at__gte=since, created_at__lt=until)
        .annotate(m=TruncMonth("created_at", tzinfo=tz))
        .values("m")
        .annotate(n=Count("pk"))
        .order_by()
    )
    resolved = (
        cases.filter(status__in=DONE_STATUSES, resolved_at__gte=since, resolved_at__lt=until)
        .annotate(m=TruncMonth("resolved_at", tzinfo=tz))
        .values("m")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # Both groupings in one statement: a kind column tells them apart.
    from django.db.models import CharField, Value

    union = (
        filed.annotate(kind=Value("filed", output_field=CharField()))
        .values("m", "n", "kind")
        .union(
            resolved.annotate(kind=Value("resolved", output_field=CharField())).values(
                "m", "n", "kind"
            ),
            all=True,
        )
    )
    for row in union:
        month = _as_date(row["m"])
        if month in rows:
            rows[month][row["kind"]] += row["n"]
    for month, n in visited_in(grids, list(rows), grid_list, this_month).items():
        rows[month]["visited"] = n
    return [{"month": f"{month:%Y-%m}", **counts} for month, counts in rows.items()]


def visited_in(grids, months: list, grid_list=None, last: int | None = None) -> dict:
    """``{month: households visited}`` over ``grids`` for ``months`` (the last one
    ``last`` when given): months over from the cache, the others counted."""
    from . import visited

    if grid_list is None:
        grid_list = list(grids.only("pk", "community_id"))
    this = timezone.localdate().replace(day=1)
    known = {months[-1]: last} if last is not None else {}
    past = [m for m in months if m < this and m not in known]
    known.update(
        visited.past_months(
            [g.pk for g in grid_list], sorted({g.community_id for g in grid_list}), past
        )
    )
    live = [m for m in months if m not in known]
    if live:
        for month, n in visited_by_month(grids, live[0], month_bounds(live[-1])[1]):
            month = _as_date(month)
            if month in live:
                known[month] = n
    return {m: known.get(m, 0) for m in months}


def visited_by_month(grids, first: datetime.date, last: datetime.date) -> list[tuple]:
    """[(month, households visited in it)] over ``grids``: one statement. The
    (month, household) pairs are made distinct first (a hash) and then counted, rather
    than ``COUNT(DISTINCT household)`` per month, which sorts every visit."""
    pairs = (
        Visit.objects.filter(household__building__grid__in=grids, visited_on__range=(first, last))
        .annotate(m=TruncMonth("visited_on"))
        .values("m", "household_id")
        .distinct()
        .order_by()
    )
    sql, params = pairs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT m, COUNT(*) FROM ({sql}) AS pairs GROUP BY m", params)  # noqa: S608
        return cursor.fetchall()


def _as_date(value) -> datetime.date:
    if isinstance(value, str):  # SQLite: a raw cursor returns the truncated month as text
        value = datetime.datetime.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def build_board(user, community, month: datetime.date | None = None) -> Board:
    """The board, from the short-lived cache when the same user asked for the same
    community and month a moment ago and nothing counted has been written since
    (``anju.dashboard.cache``), counted afresh otherwise."""
    from . import cache as board_cache

    start, end = month_bounds(month or timezone.localdate())
    pairs = tiles_for(user, community)
    seconds = board_cache.seconds()
    key, cached = None, None
    if seconds > 0:
        try:
            key = board_cache.key(user, community, start)
            cached = django_cache.get(key)
        except Exception:  # the cache is down: count afresh
            logger.warning("Dashboard cache unavailable", exc_info=True)
            key = None
    if cached is not None and set(cached["tiles"]) == {t.code for _p, t in pairs}:
        grids = [
            Grid(pk=pk, number=n, name=name, community_id=c) for pk, n, name, c in cached["grids"]
        ]
        tiles = []
        for plugin, tile in pairs:
            per_grid, sums, failed = cached["tiles"][tile.code]
            tiles.append(TileResult(tile, plugin, per_grid, sums, failed))
        return Board(start, end, grids, tiles, cached["trend"])
    board = count_board(user, community, start, end, pairs)
    if key:
        value = {
            "grids": [(g.pk, g.number, g.name, g.community_id) for g in board.grids],
            "tiles": {t.code: (t.per_grid, t.sums, t.failed) for t in board.tiles},
            "trend": board.trend,
        }
        try:
            django_cache.set(key, value, timeout=seconds)
        except Exception:
            logger.warning("Dashboard cache unavailable", exc_info=True)
    return board


def count_board(user, community, start, end, pairs) -> Board:
    """The board counted afresh: the grids, each tile, the trend."""
    grids_qs = board_grids(user, community)
    grids = list(grids_qs.only("pk", "number", "name", "community_id"))
    # The tiles get the grids as a subquery (the scope's own), not a list of 500 ids
    # sent as parameters with every query.
    scoped = grids_qs.order_by()
    tiles = [count_tile(p, t, user, scoped, start, end) for p, t in pairs]
    if not grids:
        return Board(start, end, grids, tiles, [])
    # The board's month of the trend is what the visit coverage tile counted.
    visits = [t for t in tiles if t.code == "core.visits" and not t.failed]
    this_month = visits[0].sums.get("visited", 0) if visits else None
    return Board(
        start, end, grids, tiles, trend(user, scoped, end, TREND_MONTHS, grids, this_month)
    )
