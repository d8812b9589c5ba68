"""The township's monthly report as an Excel workbook: the board's figures for a month —
a summary sheet (the community, or the user's grids), one row per grid, and the trend
by month. Every row goes through ``anju.core.safe_row``: grid names are typed by staff."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from anju.core.spreadsheets import safe_row

from .board import Board

PERCENT = "0.0%"


def workbook_bytes(board: Board, community_name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Summary")[:31]
    summary.append(safe_row([_("Monthly report"), community_name, f"{board.start:%Y-%m}"]))
    summary["A1"].font = Font(bold=True)
    summary.append(safe_row([_("Area"), _("Figure"), _("Value")]))
    for tile in board.tiles:
        if tile.failed:
            summary.append(safe_row([str(tile.label), _("could not be counted"), None]))
            continue
        for figure, value in tile.total():
            summary.append(safe_row([str(tile.label), str(figure.label), value]))
            if figure.rate:
                summary.cell(row=summary.max_row, column=3).number_format = PERCENT

    by_grid = workbook.create_sheet(_("By grid")[:31])
    columns = [(tile, figure) for tile in board.tiles for figure in tile.figures]
    by_grid.append(
        safe_row([_("Grid")] + [f"{tile.label} · {figure.label}" for tile, figure in columns])
    )
    for grid in board.grids:
        by_grid.append(
            safe_row(
                [grid.name]
                + [figure.value(tile.per_grid.get(grid.pk, {})) for tile, figure in columns]
            )
        )
    by_grid.append(safe_row([_("Total")] + [figure.value(tile.sums) for tile, figure in columns]))
    for index, (_tile, figure) in enumerate(columns, start=2):
        if figure.rate:
            for row in range(2, by_grid.max_row + 1):
                by_grid.cell(row=row, column=index).number_format = PERCENT

    months = workbook.create_sheet(_("By month")[:31])
    from .board import TREND_SERIES

    months.append(safe_row([_("Month")] + [str(label) for _key, label in TREND_SERIES]))
    for row in board.trend:
        months.append(safe_row([row["month"]] + [row[key] for key, _label in TREND_SERIES]))

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
