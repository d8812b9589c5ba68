"""Spreadsheet cells that never run what a resident typed.

A requester name such as ``=HYPERLINK("http://…","点我")`` written to a cell becomes a
live formula when staff open the export in Excel or WPS (formula or "CSV" injection).
Every export of user text — the services engine's case export, the register's lists,
plugins' reports — passes its cells through :func:`safe_cell` (or rows through
:func:`safe_row`): text that a spreadsheet would read as a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return, OWASP's list) gets a leading apostrophe,
which spreadsheets show as plain text. Numbers, dates and empty cells are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable

#: What a spreadsheet may take for the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value``, with text that would start a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable) -> list:
    return [safe_cell(value) for value in values]
