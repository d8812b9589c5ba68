"""How long the kitchen's headcount takes for a county of 10,000 eligible elders, each
with a lunch booked for the day (target: under 100 ms). Prints the figure; not a test.

    .venv/bin/python benchmarks/elderly_headcount.py   (DATABASE_URL for PostgreSQL)
"""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.test")
os.environ.setdefault("ANJU_TEST_PLUGINS", "")  # the installed plugins, no dummy plugin

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ELDERS = 10_000


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    from anju.community import Building, Community, Grid, Household, Resident
    from plugins.elderly.canteen import headcount
    from plugins.elderly.models import Meal, Option

    community = Community.objects.create(name="县", code="county")
    grids = Grid.objects.bulk_create(
        [Grid(community=community, number=n, name=f"第{n}网格") for n in range(1, 41)]
    )
    buildings = Building.objects.bulk_create(
        [Building(grid=grid, name=f"{grid.number}-{b}号楼") for grid in grids for b in range(5)]
    )
    households = Household.objects.bulk_create(
        [
            Household(building=b, unit="1单元", room=str(100 + r))
            for b in buildings
            for r in range(50)
        ]
    )
    born = datetime.date(1945, 3, 1)
    residents = Resident.objects.bulk_create(
        [
            Resident(
                household=h,
                community=community,
                name=f"老人{i}",
                gender="F",
                birth_date=born,
                id_number=f"{i:018d}",
                id_number_digest=f"{i:064d}",
            )
            for i, h in enumerate(households[:ELDERS])
        ]
    )
    day = datetime.date.today() + datetime.timedelta(days=1)
    options = [o for o, _ in Option.choices]
    Meal.objects.bulk_create(
        [
            Meal(resident=r, date=day, option=options[i % 4], delivery=i % 10 == 0)
            for i, r in enumerate(residents)
        ],
        batch_size=2000,
    )
    print(f"database: {connection.vendor}")
    for label, kwargs in (
        ("the county's kitchen", {}),
        ("one community", {"community": community}),
    ):
        headcount(day, **kwargs)  # warm up
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            count = headcount(day, **kwargs)
            runs.append((time.perf_counter() - start) * 1000)
        print(
            f"headcount ({label}) of {count.total} lunches for {ELDERS} eligible elders: "
            f"best {min(runs):.1f} ms, median {sorted(runs)[2]:.1f} ms (target < 100 ms)"
        )


if __name__ == "__main__":
    main()
