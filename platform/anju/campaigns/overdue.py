"""The overdue sweep (Celery beat, ``campaigns.sweep_overdue``): an open round past its
due date with households still owed tells each grid worker who owes them; a day later,
if still overdue, the committee members of the grids concerned.

As the services SLA sweep does: rounds are taken in batches, each batch locked with
``SKIP LOCKED`` in its own transaction, the counts read in one grouped query per batch,
the messages queued before it commits. A sweep that dies halfway leaves what it
finished done; a re-run adds nothing (dedup keys, and the stage's timestamp).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from anju.community.models import GridTeamMember, TeamRole

from . import notifications
from .models import DUE_OUTCOMES, Round, Target


def batch_size() -> int:
    return int(getattr(settings, "CAMPAIGNS_OVERDUE_BATCH_SIZE", 200))


def escalate_after() -> datetime.timedelta:
    return datetime.timedelta(hours=int(getattr(settings, "CAMPAIGNS_ESCALATE_AFTER_HOURS", 24)))


@dataclass
class SweepResult:
    rounds_to_workers: int = 0
    rounds_to_committee: int = 0
    messages: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _lock(queryset, after: int, size: int) -> list[int]:
    queryset = queryset.filter(pk__gt=after).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True)
    return list(queryset.values_list("pk", flat=True)[:size])


def _owed(ids):
    return (
        Target.objects.filter(round_id__in=ids, active=True, outcome__in=DUE_OUTCOMES)
        .values("round_id", "assignee_id", "grid_id", "grid_name")
        .annotate(n=Count("pk"))
    )


def _to_workers(ids, now, result) -> None:
    rounds = {r.pk: r for r in Round.objects.filter(pk__in=ids).select_related("campaign")}
    counts: dict[tuple[int, int], int] = {}
    for row in _owed(ids):
        if row["assignee_id"]:
            key = (row["round_id"], row["assignee_id"])
            counts[key] = counts.get(key, 0) + row["n"]
    for (round_id, user_id), n in counts.items():
        result.messages += notifications.overdue_to_worker(rounds[round_id], user_id, n)
    Round.objects.filter(pk__in=ids).update(workers_notified_at=now)
    result.rounds_to_workers += len(ids)


def _to_committee(ids, now, result) -> None:
    rounds = {r.pk: r for r in Round.objects.filter(pk__in=ids).select_related("campaign")}
    owed = list(_owed(ids))
    seats: dict[int, list[int]] = {}
    for grid_id, user_id in GridTeamMember.objects.filter(
        grid_id__in={row["grid_id"] for row in owed}, role=TeamRole.COMMITTEE
    ).values_list("grid_id", "user_id"):
        seats.setdefault(grid_id, []).append(user_id)
    per_user: dict[tuple[int, int], tuple[int, set]] = {}
    for row in owed:
        for user_id in seats.get(row["grid_id"], []):
            count, grids = per_user.get((row["round_id"], user_id), (0, set()))
            per_user[(row["round_id"], user_id)] = (count + row["n"], grids | {row["grid_name"]})
    for (round_id, user_id), (n, grids) in per_user.items():
        result.messages += notifications.overdue_to_committee(
            rounds[round_id], user_id, n, sorted(grids)
        )
    Round.objects.filter(pk__in=ids).update(committee_notified_at=now)
    result.rounds_to_committee += len(ids)


def sweep_overdue(now=None, size: int | None = None) -> SweepResult:
    now = now or timezone.now()
    today = timezone.localdate(now)
    size = size or batch_size()
    result = SweepResult()
    overdue = Round.objects.filter(status=Round.Status.OPEN, due_on__lt=today)
    stages = (
        (overdue.filter(workers_notified_at__isnull=True), _to_workers),
        (
            overdue.filter(
                workers_notified_at__lte=now - escalate_after(), committee_notified_at__isnull=True
            ),
            _to_committee,
        ),
    )
    for queryset, handle in stages:
        after = 0
        while True:
            with transaction.atomic():
                ids = _lock(queryset, after, size)
                if not ids:
                    break
                handle(ids, now, result)
            after = ids[-1]
    return result
