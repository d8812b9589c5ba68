"""What "my household" shows besides the members and the grid team: what the household
is entitled to or due for, from whoever knows: campaigns' "due now" (``campaign_items``,
built in), the active plugins' ``ResidentItems`` (``plugin_items``) and any other source
registered here.

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


def campaign_items(household, request) -> list[HouseholdItem]:
    """Campaigns' "due now" (专项走访): each open round that still owes this household a
    visit — the gas safety check, the pension certification — with its due date, so the
    household knows the grid worker will call. One query. Registered by the app when
    anju.campaigns is installed (``ResidentsConfig.ready``)."""
    from anju.campaigns.models import DUE_OUTCOMES, Round, Target

    targets = (
        Target.objects.filter(
            household=household,
            active=True,
            outcome__in=DUE_OUTCOMES,
            round__status=Round.Status.OPEN,
        )
        .select_related("round__campaign")
        .order_by("round__due_on", "pk")
    )
    items = []
    for target in targets:
        campaign = target.round.campaign
        detail = str(campaign.get_kind_display())
        if target.resident_name:
            detail = f"{detail} · {target.resident_name}"
        items.append(HouseholdItem(title=campaign.title, detail=detail, due=target.round.due_on))
    return items


def plugin_items(household, request) -> list[HouseholdItem]:
    """What the plugins active for the request's community say about the household
    (their ``panels.resident_items``, anju.plugins.ResidentItems)."""
    from anju.plugins.activation import active_for_request
    from anju.plugins.registry import contributions

    items: list[HouseholdItem] = []
    for contribution in contributions("resident_items", active_for_request(request)):
        source = contribution.item
        try:
            for item in source.items(household, request) or ():
                items.append(HouseholdItem(item.title, item.detail, item.due, item.url))
        except Exception:  # noqa: BLE001 - one broken plugin must not break the page
            logger.exception(
                "Resident items %r of plugin %s failed", source.code, contribution.plugin
            )
    return items


def household_items(household, request) -> list[HouseholdItem]:
    items: list[HouseholdItem] = plugin_items(household, request)
    for source in list(_sources):
        try:
            items.extend(source(household, request) or ())
        except Exception:  # noqa: BLE001 - one broken source must not break the page
            logger.exception("Household item source %r failed", source)
    return sorted(items, key=lambda item: (item.due is None, item.due or datetime.date.max))
