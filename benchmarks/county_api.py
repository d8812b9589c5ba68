"""The staff API's list endpoints over a generated county: p50/p95 per endpoint and role.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/county_api.py \
        [--communities=100] [--households=100000] [--visits=1000000] [--cases=100000] \
        [--requests=40] [--existing]

Builds the county with ``manage.py generate_county`` in a scratch test database (the
full county by default: 100 communities, 100,000 households, 300,000 residents,
1,000,000 visits, 100,000 cases; it takes some minutes), then asks each list endpoint
``--requests`` times — first page, as a grid worker (one grid of the county), as a
superuser (the whole county) and, when the county has them, as its county staff
account, a township's staff (its communities) and that township's desk staff (the
cases list only) — through Django's test client in this process, and prints
the time per request (target in issue 20: p95 under 50 ms) and this process's CPU per
request (``time.process_time``: the app's share, not PostgreSQL's), the queries per
request, the list's ``count`` and the load average. It asserts nothing.

``--existing`` measures the database DATABASE_URL names as it is (generate the county
there once with ``manage.py generate_county``; it takes about ten minutes on 2 busy
cores) instead of generating a scratch one each run.
"""

import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.test")
os.environ.setdefault("ANJU_TEST_PLUGINS", "")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
logging.disable(logging.WARNING)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

OPTIONS = dict(
    arg.lstrip("-").split("=", 1) for arg in sys.argv[1:] if arg.startswith("--") and "=" in arg
)
SIZES = {
    "communities": int(OPTIONS.get("communities", 100)),
    "households": int(OPTIONS.get("households", 100_000)),
    "visits": int(OPTIONS.get("visits", 1_000_000)),
    "cases": int(OPTIONS.get("cases", 100_000)),
}
REQUESTS = int(OPTIONS.get("requests", 40))
EXISTING = "--existing" in sys.argv
ENDPOINTS = [
    "/api/community/households/",
    "/api/community/residents/",
    "/api/community/visits/",
    "/api/services/cases/",
]


def measure():
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from anju.community.models import GridTeamMember

    settings.ALLOWED_HOSTS = ["*"]
    worker = GridTeamMember.objects.select_related("user").order_by("pk").first().user
    admin, _ = get_user_model().objects.get_or_create(
        username="county-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print(
        f"{'endpoint':<32}{'role':<13}{'p50 ms':>8}{'p95 ms':>8}{'CPU ms':>8}"
        f"{'queries':>8}{'count':>8}"
    )
    users = [("grid worker", worker), ("superuser", admin)]
    # generate_county's accounts above the community (a county generated before it made
    # townships has none of them).
    for label, username in (
        ("county", "county-xian"),
        ("township", "county-t01-staff"),
        ("desk", "county-t01-desk"),
    ):
        user = get_user_model().objects.filter(username=username).first()
        if user is not None:
            users.append((label, user))
    for endpoint in ENDPOINTS:
        for label, user in users:
            if label == "desk" and not endpoint.startswith("/api/services/"):
                continue  # desk staff see no register: those lists are 403 for them
            client = Client()
            client.force_login(user)
            client.get(endpoint)  # warm: content types, permissions
            times, cpu = [], []
            for _ in range(REQUESTS):
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(endpoint)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                assert response.status_code == 200, (endpoint, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                body = client.get(endpoint).json()
            count = f"{body['count']}{'+' if body.get('count_capped') else ''}"
            p95 = statistics.quantiles(times, n=20)[-1]
            print(
                f"{endpoint:<32}{label:<13}{statistics.median(times):>8.1f}{p95:>8.1f}"
                f"{statistics.median(cpu):>8.1f}{len(queries):>8}{count:>8}"
            )
    print(f"\nload average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main():
    from django.core.management import call_command

    setup_test_environment()
    if EXISTING:
        print(f"the county already in {connection.settings_dict['NAME']}\n")
        measure()
        return
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"county: {SIZES}, {connection.vendor}\n")
        started = time.perf_counter()
        args = [f"--{name}={value}" for name, value in SIZES.items()]
        call_command("generate_county", *args)
        print(f"\ngenerated in {time.perf_counter() - started:.0f} s\n")
        measure()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
