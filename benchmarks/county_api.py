"""The staff API's list endpoints over a generated county: p50/p95 per endpoint and role.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/county_api.py \
        [--communities=100] [--households=100000] [--visits=1000000] [--cases=100000] \
        [--requests=40]

Builds the county with ``manage.py generate_county`` in a scratch test database (the
full county by default: 100 communities, 100,000 households, 300,000 residents,
1,000,000 visits, 100,000 cases; it takes some minutes), then asks each list endpoint
``--requests`` times — first page, as a grid worker (one grid of the county) and as a
superuser (the whole county) — through Django's test client in this process, and prints
the time per request (target in issue 20: p95 under 50 ms). It asserts nothing.
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
ENDPOINTS = [
    "/api/community/households/",
    "/api/community/residents/",
    "/api/community/visits/",
    "/api/services/cases/",
]


def main():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from anju.community.models import GridTeamMember

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"county: {SIZES}, {connection.vendor}\n")
        started = time.perf_counter()
        args = [f"--{name}={value}" for name, value in SIZES.items()]
        call_command("generate_county", *args)
        print(f"\ngenerated in {time.perf_counter() - started:.0f} s\n")
        worker = GridTeamMember.objects.select_related("user").first().user
        admin = get_user_model().objects.create(
            username="county-admin", is_superuser=True, is_staff=True
        )
        print(f"{'endpoint':<32}{'role':<14}{'p50 ms':>8}{'p95 ms':>8}{'rows':>9}")
        for endpoint in ENDPOINTS:
            for label, user in (("grid worker", worker), ("superuser", admin)):
                client = Client()
                client.force_login(user)
                client.get(endpoint)  # warm: content types, permissions
                times = []
                for _ in range(REQUESTS):
                    start = time.perf_counter()
                    response = client.get(endpoint)
                    times.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, (endpoint, response.status_code)
                count = response.json().get("count", "")
                p95 = statistics.quantiles(times, n=20)[-1]
                print(
                    f"{endpoint:<32}{label:<14}{statistics.median(times):>8.1f}{p95:>8.1f}"
                    f"{count:>9}"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
