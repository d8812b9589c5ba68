"""Figures per grid for a season: households checked, hazards open / fixed / overdue by
kind, LPG households remaining, talk attendance — and the township's Excel workbook.

``grid_figures(user, on)`` answers for the grids ``user`` may see in a fixed number of
queries whatever the number of grids, households or hazards (one aggregate per figure,
grouped by grid). Hazards are counted through ``handling.visible_hazards``, households
through ``scope_queryset``, so a grid worker's figures are their grids' only.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.campaigns import Outcome, TargetAnswer
from anju.community import Grid, Household
from anju.core import safe_row
from anju.permissions import scope_queryset

from . import handling
from .models import CLOSED_STATUSES, GasState, GasStatus, HazardKind, SafetyTalk


@dataclass
class GridFigures:
    grid: int
    grid_name: str
    households: int = 0
    checked: int = 0
    lpg_households: int = 0
    lpg_cylinders: int = 0
    talk_households: int = 0
    hazards: dict = field(default_factory=dict)  # kind → {"open", "fixed", "overdue"}

    @property
    def checked_share(self):
        return round(self.checked / self.households, 4) if self.households else None

    @property
    def talk_share(self):
        return round(self.talk_households / self.households, 4) if self.households else None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["checked_share"] = self.checked_share
        data["talk_share"] = self.talk_share
        return data


def checked_households(on: datetime.date | None = None):
    """Households answered "done" with the safety checklist this season (a subquery)."""
    first, last = handling.season_bounds(on)
    return TargetAnswer.objects.filter(
        target__round__campaign__checklist=handling.checklist_service(),
        outcome=Outcome.DONE,
        answered_at__gte=handling.start_of(first),
        answered_at__lt=handling.start_of(last + datetime.timedelta(days=1)),
    ).values("target__household_id")


def grid_figures(user, on: datetime.date | None = None) -> list[GridFigures]:
    on = on or timezone.localdate()
    first, last = handling.season_bounds(on)
    grids = list(scope_queryset(Grid.objects.all(), user).order_by("community_id", "number"))
    rows = {g.pk: GridFigures(grid=g.pk, grid_name=g.name) for g in grids}
    for row in rows.values():
        row.hazards = {k: {"open": 0, "fixed": 0, "overdue": 0} for k in HazardKind.values}
    households = scope_queryset(Household.objects.all(), user)
    grid_key = "building__grid_id"
    checked = checked_households(on)
    for item in (
        households.values(grid_key)
        .order_by()
        .annotate(
            total=Count("pk"),
            checked=Count("pk", filter=Q(pk__in=checked)),
        )
    ):
        if item[grid_key] in rows:
            rows[item[grid_key]].households = item["total"]
            rows[item[grid_key]].checked = item["checked"]
    gas = scope_queryset(GasStatus.objects.filter(state=GasState.LPG), user)
    from django.db.models import Sum

    for item in (
        gas.values("household__building__grid_id")
        .order_by()
        .annotate(n=Count("pk"), cylinders=Sum("lpg_cylinders"))
    ):
        row = rows.get(item["household__building__grid_id"])
        if row:
            row.lpg_households, row.lpg_cylinders = item["n"], item["cylinders"] or 0
    talks = SafetyTalk.objects.filter(
        starts_at__gte=handling.start_of(first),
        starts_at__lt=handling.start_of(last + datetime.timedelta(days=1)),
    )
    for item in (
        households.filter(safety_talks__in=talks)
        .values(grid_key)
        .order_by()
        .annotate(n=Count("pk", distinct=True))
    ):
        if item[grid_key] in rows:
            rows[item[grid_key]].talk_households = item["n"]
    now = timezone.now()
    closed = Q(case__status__in=CLOSED_STATUSES)
    for item in (
        handling.visible_hazards(user)
        .values("case__grid_id", "kind")
        .order_by()
        .annotate(
            open=Count("pk", filter=~closed),
            fixed=Count("pk", filter=closed & Q(recheck_passed=True)),
            overdue=Count("pk", filter=~closed & Q(case__resolve_due__lt=now)),
        )
    ):
        row = rows.get(item["case__grid_id"])
        if row:
            row.hazards[item["kind"]] = {
                "open": item["open"],
                "fixed": item["fixed"],
                "overdue": item["overdue"],
            }
    return list(rows.values())


def _percent(value):
    return None if value is None else round(value * 100, 1)


def workbook(user, on: datetime.date | None = None) -> bytes:
    """The season's figures per grid as an .xlsx for the township, every text cell made
    formula-safe (``anju.core.safe_row``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    on = on or timezone.localdate()
    first, last = handling.season_bounds(on)
    figures = grid_figures(user, on)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Safety by grid")[:31]
    sheet.append([_("Gas and fire safety, %(first)s to %(last)s") % {"first": first, "last": last}])
    sheet["A1"].font = Font(bold=True, size=14)
    header = [
        _("Grid"),
        _("Households"),
        _("Checked this season"),
        _("Checked (%)"),
        _("Households on LPG"),
        _("LPG cylinders"),
        _("Households at a talk"),
    ]
    for _code, label in HazardKind.choices:
        header += [
            _("%(kind)s hazards open") % {"kind": label},
            _("%(kind)s hazards fixed") % {"kind": label},
            _("%(kind)s hazards overdue") % {"kind": label},
        ]
    sheet.append([str(h) for h in header])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in figures:
        values = [
            row.grid_name,
            row.households,
            row.checked,
            _percent(row.checked_share),
            row.lpg_households,
            row.lpg_cylinders,
            row.talk_households,
        ]
        for code in HazardKind.values:
            counts = row.hazards[code]
            values += [counts["open"], counts["fixed"], counts["overdue"]]
        sheet.append(safe_row(values))
    sheet.column_dimensions["A"].width = 20
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
