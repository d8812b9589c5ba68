"""Starting, refreshing and closing rounds; the target list and who each target falls to.

The list is materialised when a round starts, so progress is measured against a fixed
list even while the register changes. It is written with ``bulk_create`` in batches from
one streamed query (``benchmarks/campaigns_materialise.py``: 100,000 households). A
refresh adds who newly matches and takes out (``active=False``) targets no longer
matching that were never answered; every row stays, with its address snapshot.
"""

from __future__ import annotations

import datetime
import logging

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.community.models import GridTeamMember, TeamRole

from . import rules
from .models import Campaign, Outcome, Recurrence, Round, Target, TargetKind

logger = logging.getLogger("anju.campaigns")

BATCH = 2000


class RoundError(ValueError):
    """A round that cannot be started, refreshed or closed; ``str()`` says why."""


def floor_of(room: str) -> int:
    """The floor a room is on: "301" → 3, "1204" → 12 (0 when it cannot tell)."""
    digits = ""
    for ch in room or "":
        if not ch.isdigit():
            break
        digits += ch
    return int(digits[:-2]) if len(digits) > 2 else 0


def grid_workers(community_id) -> dict[int, int]:
    """{grid id: the grid worker's user id} of a community, in one query."""
    return dict(
        GridTeamMember.objects.filter(
            grid__community_id=community_id, role=TeamRole.GRID_WORKER
        ).values_list("grid_id", "user_id")
    )


_HOUSEHOLD_FIELDS = (
    "unit",
    "room",
    "building__name",
    "building__sort_order",
    "building__grid_id",
    "building__grid__name",
)


def _rows(rule: rules.Rule, on):
    """(household id, resident id, resident name, household values) of every match."""
    queryset = rules.matching(rule, on)
    if rule.target_kind == TargetKind.RESIDENT:
        fields = ("pk", "name", "household_id") + tuple(
            f"household__{f}" for f in _HOUSEHOLD_FIELDS
        )
        for row in queryset.order_by().values_list(*fields).iterator(chunk_size=BATCH):
            yield row[2], row[0], row[1], row[3:]
    else:
        fields = ("pk",) + _HOUSEHOLD_FIELDS
        for row in queryset.order_by().values_list(*fields).iterator(chunk_size=BATCH):
            yield row[0], None, "", row[1:]


#: The columns a materialised target is written with (the rest keep their defaults).
_COLUMNS = (
    "round_id",
    "household_id",
    "resident_id",
    "resident_name",
    "grid_id",
    "grid_name",
    "address",
    "building_order",
    "building_name",
    "unit",
    "floor",
    "room",
    "assignee_id",
    "outcome",
    "active",
    "created_at",
)


def _row(round_id, household_id, resident_id, name, values, workers, now) -> tuple:
    unit, room, building, order, grid_id, grid_name = values
    return (
        round_id,
        household_id,
        resident_id,
        name,
        grid_id,
        grid_name,
        f"{building}{unit}{room}",
        order,
        building,
        unit,
        floor_of(room),
        room,
        workers.get(grid_id),
        Outcome.PENDING,
        True,
        now,
    )


def _insert(rows: list[tuple]) -> None:
    """Multi-row INSERTs of plain tuples: materialising 100,000 targets through model
    instances and ``bulk_create`` spends most of its time building and preparing the
    instances, which these rows (all plain values) do not need."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(Target._meta.db_table)
    columns = ", ".join(quote(c) for c in _COLUMNS)
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    limit = connection.features.max_query_params
    per_statement = min(BATCH, limit // len(_COLUMNS)) if limit else BATCH
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [value for row in chunk for value in row]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * len(chunk)),
                params,
            )


def _materialise(round_: Round, rule: rules.Rule, skip: set | None = None) -> tuple[int, set]:
    """Write the targets of ``round_`` (those whose key is not in ``skip``). Returns the
    number written and the keys of every match."""
    workers = grid_workers(round_.campaign.community_id)
    now = connection.ops.adapt_datetimefield_value(timezone.now())  # once, not per row
    batch: list[tuple] = []
    written = 0
    keys = set()
    for household_id, resident_id, name, values in _rows(rule, round_.starts_on):
        key = (household_id, resident_id)
        if key in keys:
            continue
        keys.add(key)
        if skip is not None and key in skip:
            continue
        batch.append(_row(round_.pk, household_id, resident_id, name, values, workers, now))
        if len(batch) >= BATCH:
            _insert(batch)
            written += len(batch)
            batch = []
    _insert(batch)
    written += len(batch)
    return written, keys


def period_after(campaign: Campaign, starts_on: datetime.date) -> datetime.date | None:
    """When the round after one starting on ``starts_on`` starts (None: never)."""
    months = {
        Recurrence.MONTHLY: 1,
        Recurrence.QUARTERLY: 3,
        Recurrence.YEARLY: 12,
        Recurrence.SEASON: 12,
    }.get(campaign.recurrence)
    if months is None:
        return None
    month_index = starts_on.month - 1 + months
    year, month = starts_on.year + month_index // 12, month_index % 12 + 1
    day = (
        min(starts_on.day, 28)
        if month == 2
        else min(starts_on.day, 30 if month in (4, 6, 9, 11) else 31)
    )
    return datetime.date(year, month, day)


def due_date(campaign: Campaign, starts_on: datetime.date) -> datetime.date:
    return starts_on + datetime.timedelta(days=max(campaign.round_days, 1) - 1)


@transaction.atomic
def start_round(
    campaign: Campaign,
    starts_on: datetime.date | None = None,
    due_on: datetime.date | None = None,
) -> Round:
    """Open the next round of ``campaign`` and materialise its target list. Refused
    (``RoundError`` or ``rules.RuleError``) when the rule matches nobody."""
    campaign = Campaign.objects.select_for_update().select_related("community").get(pk=campaign.pk)
    starts_on = starts_on or timezone.localdate()
    due_on = due_on or due_date(campaign, starts_on)
    if due_on < starts_on:
        raise RoundError(_("The due date is before the start."))
    if campaign.rounds.filter(starts_on=starts_on).exists():
        raise RoundError(_("A round starting on %(date)s already exists.") % {"date": starts_on})
    rule = rules.Rule.of(campaign)
    if not rules.matching(rule, starts_on).exists():
        raise RoundError(_("The target rule matches nobody: no round was started."))
    number = (campaign.rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    round_ = Round.objects.create(
        campaign=campaign, number=number, starts_on=starts_on, due_on=due_on
    )
    _materialise(round_, rule)
    round_.materialised_at = timezone.now()
    round_.save(update_fields=["materialised_at"])
    return round_


@transaction.atomic
def refresh_round(round_: Round) -> dict:
    """Bring an open round's list up to date with the register. Returns counts."""
    round_ = (
        Round.objects.select_for_update().select_related("campaign__community").get(pk=round_.pk)
    )
    if not round_.is_open:
        raise RoundError(_("This round is closed: its list can no longer change."))
    existing = {
        (h, r): (pk, active, outcome)
        for pk, h, r, active, outcome in round_.targets.values_list(
            "pk", "household_id", "resident_id", "active", "outcome"
        )
    }
    added, keys = _materialise(round_, rules.Rule.of(round_.campaign), skip=set(existing))
    leaving = [
        pk
        for key, (pk, active, outcome) in existing.items()
        if active and outcome == Outcome.PENDING and key not in keys
    ]
    returning = [pk for key, (pk, active, _o) in existing.items() if not active and key in keys]
    Target.objects.filter(pk__in=leaving).update(active=False)
    Target.objects.filter(pk__in=returning).update(active=True)
    round_.materialised_at = timezone.now()
    round_.save(update_fields=["materialised_at"])
    return {"added": added, "removed": len(leaving), "restored": len(returning)}


def close_round(round_: Round) -> Round:
    if round_.is_open:
        Round.objects.filter(pk=round_.pk).update(
            status=Round.Status.CLOSED, closed_at=timezone.now()
        )
        round_.refresh_from_db()
    return round_


def start_due_rounds(today: datetime.date | None = None) -> list[Round]:
    """Start every round that is due by ``today``: a running campaign's first round on
    its start date, and a recurring campaign's next one when its period comes (the
    previous round, superseded, closes). Idempotent: a round exists once per start."""
    today = today or timezone.localdate()
    started = []
    campaigns = Campaign.objects.filter(is_active=True, starts_on__lte=today).annotate(
        last_start=Max("rounds__starts_on")
    )
    for campaign in campaigns:
        if campaign.last_start is None:
            starts_on = campaign.starts_on
        else:
            starts_on = period_after(campaign, campaign.last_start)
            if starts_on is None or starts_on > today:
                continue
        try:
            round_ = start_round(campaign, starts_on)
        except (RoundError, rules.RuleError) as error:
            logger.warning("Campaign %s: no round started on %s: %s", campaign.pk, starts_on, error)
            continue
        for previous in campaign.rounds.filter(status=Round.Status.OPEN).exclude(pk=round_.pk):
            close_round(previous)
        started.append(round_)
    return started


def reassign(targets, assignee) -> int:
    """Give ``targets`` (a queryset) to ``assignee`` (the committee's reassignment, or a
    "3个1" team member taking them over)."""
    return targets.update(assignee=assignee)
