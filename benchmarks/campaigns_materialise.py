"""Materialising a campaign round over N households (100,000): time, in-process.

    DATABASE_URL=postgres://... DJANGO_SETTINGS_MODULE=anju.settings.test \
        .venv/bin/python benchmarks/campaigns_materialise.py [N]

Creates N households (one resident each, a third aged 60+) over five grids in a scratch
test database (SQLite in memory unless DATABASE_URL says otherwise; the target is under
60 s on PostgreSQL), then prints figures; it asserts nothing:

* start a round targeting every household (``rounds.start_round``: one streamed query,
  ``bulk_create`` in batches of 2,000);
* start a round targeting the residents aged 60+ (the pension certification);
* refresh the first round (nothing changed: reads the list, writes nothing);
* progress of both rounds per grid (one grouped query), and one grid worker's due list.
"""

import datetime
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.test")
os.environ.setdefault("ANJU_TEST_PLUGINS", "")  # the platform alone, no dummy plugin
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
logging.disable(logging.WARNING)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(ARGS[0]) if ARGS else 100_000
GRIDS = 5
PER_BUILDING = 500
CHUNK = 5000


def make_households(n: int):
    """N households and residents in bulk; the encrypted ID number's ciphertext is
    computed once and reused, each resident given its own digest."""
    from django.contrib.auth import get_user_model

    from anju.community.models import (
        Building,
        Community,
        Grid,
        GridTeamMember,
        Household,
        Resident,
        TeamRole,
    )

    User = get_user_model()
    community = Community.objects.create(name="基准社区", code="bench")
    grids = [
        Grid.objects.create(community=community, number=i, name=f"第{i}网格")
        for i in range(1, GRIDS + 1)
    ]
    for i, grid in enumerate(grids, start=1):
        worker = User.objects.create(username=f"wanggeyuan{i}")
        GridTeamMember.objects.create(grid=grid, user=worker, role=TeamRole.GRID_WORKER)
    buildings = [
        Building.objects.create(grid=grids[b % GRIDS], name=f"{b + 1}号楼", sort_order=b)
        for b in range((n + PER_BUILDING - 1) // PER_BUILDING)
    ]
    id_field = Resident._meta.get_field("id_number")
    ciphertext = id_field.get_db_prep_value("110101195001011234", connection)
    saved = id_field.get_db_prep_value
    id_field.get_db_prep_value = lambda value, connection, prepared=False: value
    try:
        for start in range(0, n, CHUNK):
            households = [
                Household(
                    building=buildings[i // PER_BUILDING],
                    unit=f"{1 + (i % PER_BUILDING) // 100}单元",
                    room=f"{1 + (i % 100) // 4}0{1 + i % 4}",
                )
                for i in range(start, min(start + CHUNK, n))
            ]
            Household.objects.bulk_create(households, batch_size=CHUNK)
            Resident.objects.bulk_create(
                [
                    Resident(
                        household=h,
                        community=community,
                        name=f"居民{start + j}",
                        gender="F",
                        birth_date=datetime.date(1950 if (start + j) % 3 == 0 else 1985, 1, 1),
                        id_number=ciphertext,
                        id_number_digest=f"{start + j:064d}",
                    )
                    for j, h in enumerate(households)
                ],
                batch_size=CHUNK,
            )
    finally:
        id_field.get_db_prep_value = saved
    return community


def timed(label: str, count: int, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    rate = f"{count / seconds:>9,.0f}/s" if count and seconds else ""
    print(f"{label:<44}{seconds:>8.2f} s {rate}")
    return result


def main():
    from django.contrib.auth import get_user_model

    from anju.campaigns import rounds
    from anju.campaigns.duelist import due_targets
    from anju.campaigns.models import Campaign, Target
    from anju.campaigns.progress import progress

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"{N:,} households, {GRIDS} grids, {connection.vendor}\n")
        community = timed("create households and residents", N, lambda: make_households(N))
        everyone = Campaign.objects.create(community=community, title="医保缴费宣传")
        elderly = Campaign.objects.create(
            community=community, title="养老认证", target_kind="resident", min_age=60
        )
        first = timed("start a round: every household", N, lambda: rounds.start_round(everyone))
        second = timed(
            "start a round: residents aged 60+", N // 3, lambda: rounds.start_round(elderly)
        )
        counts = timed(
            "refresh the first round (no change)", N, lambda: rounds.refresh_round(first)
        )
        admin = get_user_model().objects.create(username="root", is_superuser=True)
        figures = timed(
            "progress of both rounds per grid", 0, lambda: progress(admin, [first, second])
        )
        worker = get_user_model().objects.get(username="wanggeyuan1")
        worker.is_superuser = True  # sees all; due_targets still narrows to their own
        due = timed("one grid worker's due targets", 0, lambda: len(due_targets(worker)))
        print(
            f"\ntargets: {Target.objects.filter(round=first).count():,} + "
            f"{Target.objects.filter(round=second).count():,}; refresh {counts}; "
            f"{len(figures[0].grids)} grids in the figures; {due:,} due for one worker"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
