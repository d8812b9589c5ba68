"""Anonymous portal pages: time per request, rendered and cached (query counts are
asserted by tests/platform/test_portal.py and tests/platform/notices).

    DJANGO_SETTINGS_MODULE=anju.settings.test .venv/bin/python benchmarks/portal_pages.py

Loads the demo into a scratch test database and prints figures; it asserts nothing.
A quick in-process look (the test settings, Django's test client); the figures that
count, under gunicorn with the production settings and compared with bakerydemo, come
from benchmarks/portal_gunicorn.py. The targets (issue 20): at most 8 queries and about
5-10 ms of CPU per anonymous page rendered.
"""

import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.test")
os.environ.setdefault("ANJU_TEST_PLUGINS", "")  # the platform alone, no dummy plugin
logging.disable(logging.WARNING)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

URLS = ["/", "/en/", "/about/", "/service-station/"]
ROUNDS = 200


def measure(client, url, rounds):
    client.get(url)  # warm
    cpu = time.process_time()
    wall = time.perf_counter()
    for _ in range(rounds):
        client.get(url)
    return (
        (time.process_time() - cpu) * 1000 / rounds,
        (time.perf_counter() - wall) * 1000 / rounds,
    )


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        call_command("load_demo", stdout=open(os.devnull, "w"))
        client = Client()
        print(f"{'page':<20}{'mode':<10}{'cpu ms':>9}{'wall ms':>9}")
        for url in URLS:
            for mode, seconds in (("rendered", 0), ("cached", 300)):
                settings.PORTAL_CACHE_SECONDS = seconds
                cpu, wall = measure(client, url, ROUNDS)
                print(f"{url:<20}{mode:<10}{cpu:>9.2f}{wall:>9.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
