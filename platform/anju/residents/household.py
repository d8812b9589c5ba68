"""What "my household" shows besides the members and the grid team: what the household
is entitled to or due for, from whoever knows (campaigns' "due now", plugins).

A source is a callable ``source(household, request) -> iterable of HouseholdItem``,
registered with ``register_household_item_source``. The page calls each source once per
household (keep it to a constant number of queries); a source that raises is logged and
skipped, never breaking the page. Items are shown to the household's own residents, so a
source returns only what the household may read about itself.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("anju.residents")


@dataclass(frozen=True)
class HouseholdItem:
    title: Any  # translatable
    detail: Any = ""
    due: datetime.date | None = None
    url: str = ""


Source = Callable[[Any, Any], Iterable[HouseholdItem]]
_sources: list[Source] = []


def register_household_item_source(source: Source) -> Source:
    """Add a source (usable as a decorator); registering it twice adds it once."""
    if source not in _sources:
        _sources.append(source)
    return source


def unregister_household_item_source(source: Source) -> None:
    if source in _sources:
        _sources.remove(source)


def household_items(household, request) -> list[HouseholdItem]:
    items: list[HouseholdItem] = []
    for source in list(_sources):
        try:
            items.extend(source(household, request) or ())
        except Exception:  # noqa: BLE001 - one broken source must not break the page
            logger.exception("Household item source %r failed", source)
    return sorted(items, key=lambda item: (item.due is None, item.due or datetime.date.max))
