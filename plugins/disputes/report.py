"""The yearly report as an Excel workbook (openpyxl): the figures, by type, by grid,
and one row per dispute — with no names or phone numbers of the parties."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from anju.community import Grid
from anju.core import safe_row

from .figures import dispute_figures, raised_in


def _percent(value):
    return None if value is None else round(value * 100, 1)


def yearly_workbook(disputes, start, end, year: int) -> bytes:
    """Bytes of an .xlsx over ``disputes`` (already narrowed to what the viewer may see)
    raised from ``start`` to ``end``."""
    figures = dispute_figures(disputes, start=start, end=end)
    book = Workbook()
    bold = Font(bold=True)

    summary = book.active
    summary.title = _("Summary")[:31]
    summary.append([_("Disputes in %(year)s") % {"year": year}])
    summary["A1"].font = Font(bold=True, size=14)
    rows = [
        (_("Raised"), figures.raised),
        (_("Resolved"), figures.resolved),
        (_("Resolved in the grid"), figures.resolved_in_grid),
        (_("Resolved in the community"), figures.resolved_in_community),
        (_("Referred"), figures.referred),
        (_("Withdrawn"), figures.withdrawn),
        (_("Still open"), figures.open),
        (_("Resolution rate (%)"), _percent(figures.resolution_rate)),
        (_("Resolved within the grid (%)"), _percent(figures.within_grid_share)),
        (_("Median days to resolve"), figures.median_days_to_resolve),
    ]
    for row in rows:
        summary.append(list(row))
    summary.column_dimensions["A"].width = 32

    by_type = book.create_sheet(_("By type")[:31])
    by_type.append([_("Type of dispute"), _("Raised"), _("Resolved")])
    for row in figures.by_type:
        by_type.append(safe_row([row["label"], row["raised"], row["resolved"]]))
    by_type.column_dimensions["A"].width = 40

    by_grid = book.create_sheet(_("By grid")[:31])
    by_grid.append(
        [_("Grid"), _("Raised"), _("Resolved"), _("Resolved in the grid"), _("Resolution rate (%)")]
    )
    grid_ids = raised_in(disputes.order_by(), start, end).values("case__grid")
    for grid in Grid.objects.filter(pk__in=grid_ids).order_by("community_id", "number"):
        per_grid = dispute_figures(disputes, start=start, end=end, grid=grid)
        by_grid.append(
            safe_row(
                [
                    grid.name,
                    per_grid.raised,
                    per_grid.resolved,
                    per_grid.resolved_in_grid,
                    _percent(per_grid.resolution_rate),
                ]
            )
        )
    by_grid.column_dimensions["A"].width = 20

    listing = book.create_sheet(_("Disputes")[:31])
    listing.append(
        [
            _("Reference number"),
            _("Filed"),
            _("Grid"),
            _("Type of dispute"),
            _("Risk"),
            _("Dealt with by"),
            _("Outcome"),
            _("Days to resolve"),
        ]
    )
    for dispute in raised_in(disputes, start, end).for_lists().order_by("case__created_at"):
        listing.append(
            safe_row(
                [
                    dispute.case.reference,
                    timezone.localtime(dispute.case.created_at).date(),
                    dispute.case.grid.name if dispute.case.grid_id else "",
                    str(dispute.get_dispute_type_display()),
                    str(dispute.get_risk_display()),
                    str(dispute.get_level_display()),
                    str(dispute.get_outcome_display()) if dispute.outcome else _("Open"),
                    dispute.days_to_resolve,
                ]
            )
        )
    for sheet in (by_type, by_grid, listing):
        for cell in sheet[1]:
            cell.font = bold
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
