"""The grid worker's due list: every household they owe a visit, in walking order
(building, unit, floor, room), with what it owes across every running campaign and
every active plugin's due items — one visit can settle several checklists.

A constant number of queries whatever the size: the due targets (one query), the
households of the worker's grids (one), and one call per plugin source, each batched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from anju.community.models import Household
from anju.permissions.scope import scope_queryset

from . import registry
from .models import DUE_OUTCOMES, Round, Target
from .rounds import floor_of
from .visibility import visible_targets


@dataclass
class DueEntry:
    label: str
    url: str
    note: str = ""
    kind: str = "campaign"  # or the plugin source's code
    target: Target | None = None


@dataclass
class DueHousehold:
    household_id: int | None
    address: str
    grid_name: str
    sort_key: tuple
    entries: list[DueEntry] = field(default_factory=list)


def due_targets(user, *, grid=None, worker=None):
    """The targets ``user`` owes (or, for the committee, ``worker`` owes): due, in an
    open round, assigned to them — or unassigned in a grid they see."""
    worker = worker or user
    targets = visible_targets(user).filter(
        active=True, outcome__in=DUE_OUTCOMES, round__status=Round.Status.OPEN
    )
    targets = targets.filter(Q(assignee=worker) | Q(assignee__isnull=True))
    if grid is not None:
        targets = targets.filter(grid=grid)
    return targets.select_related("round__campaign").walking_order()


def due_list(user, *, grid=None, worker=None) -> list[DueHousehold]:
    rows: dict[object, DueHousehold] = {}
    communities = set()
    for target in due_targets(user, grid=grid, worker=worker):
        key = target.household_id or ("target", target.pk)
        entry = rows.get(key)
        if entry is None:
            entry = rows[key] = DueHousehold(
                household_id=target.household_id,
                address=target.address,
                grid_name=target.grid_name,
                sort_key=(
                    target.building_order,
                    target.building_name,
                    target.unit,
                    target.floor,
                    target.room,
                ),
            )
        campaign = target.round.campaign
        communities.add(campaign.community_id)
        label = campaign.title + (f" · {target.resident_name}" if target.resident_name else "")
        entry.entries.append(
            DueEntry(
                label=label,
                url=reverse("anju_campaigns:answer", args=[target.pk]),
                note=str(target.get_outcome_display()),
                target=target,
            )
        )
    _add_plugin_items(user, rows, grid, worker)
    return sorted(rows.values(), key=lambda h: h.sort_key)


def _add_plugin_items(user, rows, grid, worker) -> None:
    households = scope_queryset(Household.objects.all(), user)
    if grid is not None:
        households = households.filter(building__grid=grid)
    elif worker is not None and worker != user:
        households = households.filter(building__grid__team__user=worker)
    values = list(
        households.values_list(
            "pk",
            "unit",
            "room",
            "building__name",
            "building__sort_order",
            "building__grid__name",
            "building__grid__community_id",
        )
    )
    if not values:
        return
    by_community: dict[int, list[int]] = {}
    for pk, *_rest, community_id in values:
        by_community.setdefault(community_id, []).append(pk)
    info = {v[0]: v for v in values}
    from anju.community.models import Community

    for community_id, ids in by_community.items():
        community = Community(pk=community_id)
        for source in registry.sources_for(community):
            found = source.items(ids, user) or {}
            for household_id, items in found.items():
                if not items or household_id not in info:
                    continue
                entry = rows.get(household_id)
                if entry is None:
                    pk, unit, room, building, order, grid_name, _c = info[household_id]
                    entry = rows[household_id] = DueHousehold(
                        household_id=pk,
                        address=f"{building}{unit}{room}",
                        grid_name=grid_name,
                        sort_key=(order, building, unit, floor_of(room), room),
                    )
                for item in items:
                    entry.entries.append(
                        DueEntry(
                            label=str(item.label),
                            url=getattr(item, "url", "") or "",
                            note=str(getattr(item, "note", "") or ""),
                            kind=getattr(source, "code", "plugin"),
                        )
                    )
