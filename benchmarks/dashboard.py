"""The dashboard for 500 grids: time and queries of the committee's admin home.

    DATABASE_URL=postgres://... DJANGO_SETTINGS_MODULE=anju.settings.test \
        .venv/bin/python benchmarks/dashboard.py [GRIDS] [HOUSEHOLDS_PER_GRID]

Builds, in a scratch test database, a community of GRIDS grids (500) with
HOUSEHOLDS_PER_GRID households each (100: 50,000 households and residents), visits to
half of them this month, 20 cases per grid in every state (10,000), a notice that must
reach every household with a third reached, and a campaign round over every household
with a quarter done. Then, signed in as a committee member, it times the admin home
(the dashboard panel with every tile, the charts' data and the 500-row grid table) and
the monthly report's workbook, and prints the queries of each. The target is under
300 ms for the home page on PostgreSQL with a number of queries that does not depend
on the size (tests/platform/dashboard/test_queries.py asserts that). It asserts nothing.
"""

import datetime
import logging
import os
import statistics
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
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
GRIDS = int(ARGS[0]) if ARGS else 500
PER_GRID = int(ARGS[1]) if len(ARGS) > 1 else 100
CASES_PER_GRID = 20
RUNS = 7


def build():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from anju.campaigns import rounds
    from anju.campaigns.models import Campaign, Outcome, Target
    from anju.community.models import (
        Building,
        Community,
        Grid,
        GridTeamMember,
        Household,
        Resident,
        TeamRole,
        Visit,
    )
    from anju.notices.models import Audience, NoticeDelivery, NoticeIndexPage, NoticePage
    from anju.permissions import roles
    from anju.plugins.grants import setup_roles
    from anju.portal.site import ensure_home_page
    from anju.services.models import Case, Level, Service, ServiceField, Status

    setup_roles()
    User = get_user_model()
    community = Community.objects.create(name="基准社区", code="bench")
    grids = Grid.objects.bulk_create(
        [Grid(community=community, number=i, name=f"第{i}网格") for i in range(1, GRIDS + 1)]
    )
    buildings = Building.objects.bulk_create(
        [Building(grid=g, name=f"{g.number}号楼", sort_order=g.number) for g in grids]
    )
    committee = User.objects.create(username="weiyuan", is_staff=True)
    committee.groups.add(roles.group_for(roles.COMMITTEE))
    GridTeamMember.objects.create(grid=grids[0], user=committee, role=TeamRole.COMMITTEE)

    id_field = Resident._meta.get_field("id_number")
    ciphertext = id_field.get_db_prep_value("110101195001011234", connection)
    saved = id_field.get_db_prep_value
    id_field.get_db_prep_value = lambda value, connection, prepared=False: value
    today = timezone.localdate()
    households = []
    try:
        for building in buildings:
            batch = Household.objects.bulk_create(
                [
                    Household(building=building, unit="1单元", room=f"{1 + i // 4}0{1 + i % 4}")
                    for i in range(PER_GRID)
                ]
            )
            Resident.objects.bulk_create(
                [
                    Resident(
                        household=h,
                        community=community,
                        name=f"居民{h.pk}",
                        gender="F",
                        birth_date=datetime.date(1950, 1, 1),
                        id_number=ciphertext,
                        id_number_digest=f"{h.pk:064d}",
                    )
                    for h in batch
                ]
            )
            households += batch
    finally:
        id_field.get_db_prep_value = saved
    Visit.objects.bulk_create(
        [Visit(household=h, visitor=committee, visited_on=today) for h in households[::2]],
        batch_size=5000,
    )

    service = Service.objects.create(title="报修", slug="repair", community=community)
    ServiceField.objects.create(service=service, label="什么坏了", field_type="text")
    version = service.snapshot()
    now = timezone.now()
    states = [
        (Status.SUBMITTED, Level.GRID, None),
        (Status.IN_PROGRESS, Level.GRID, None),
        (Status.RESOLVED, Level.GRID, now),
        (Status.CLOSED, Level.COMMUNITY, now),
        (Status.ESCALATED, Level.COMMUNITY, None),
    ]
    cases = []
    for g, grid in enumerate(grids):
        for i in range(CASES_PER_GRID):
            status, level, resolved = states[i % len(states)]
            household = households[g * PER_GRID + i]
            cases.append(
                Case(
                    reference=f"{g * CASES_PER_GRID + i:08d}",
                    service=service,
                    version=version,
                    community=community,
                    grid=grid,
                    household=household,
                    requester_name="居民",
                    requester_phone="13800001234",
                    phone_last4="1234",
                    status=status,
                    level=level,
                    accept_due=now + datetime.timedelta(hours=24 - i * 3),
                    resolve_due=now + datetime.timedelta(hours=72 - i * 6),
                    resolved_at=resolved,
                )
            )
    Case.objects.bulk_create(cases, batch_size=5000)

    home = ensure_home_page()
    index = home.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))
    notice = NoticePage(
        title="燃气安全入户告知",
        slug="gas",
        body="<p>请注意用气安全。</p>",
        must_reach_every_household=True,
        audience=Audience.EVERYONE,
    )
    index.add_child(instance=notice)
    notice.save_revision().publish()
    NoticeDelivery.objects.bulk_create(
        [NoticeDelivery(notice=notice, household=h, reached_by=committee) for h in households[::3]],
        batch_size=5000,
    )

    campaign = Campaign.objects.create(community=community, title="医保缴费宣传")
    round_ = rounds.start_round(campaign)
    done = list(Target.objects.filter(round=round_).values_list("pk", flat=True)[::4])
    Target.objects.filter(pk__in=done).update(outcome=Outcome.DONE)
    return committee, len(households), len(cases)


def timed(client, url):
    from django.db import reset_queries

    times, queries = [], 0
    client.get(url)  # warm: per-process caches (site, activation, templates)
    for _ in range(RUNS):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return statistics.median(times), min(times), queries, response


def main():
    from django.test import Client

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        start = time.perf_counter()
        committee, households, cases = build()
        print(
            f"{GRIDS} grids, {households:,} households, {cases:,} cases, "
            f"{connection.vendor}; built in {time.perf_counter() - start:.1f} s\n"
        )
        client = Client()
        client.force_login(committee)
        for label, url in (
            ("admin home (the dashboard)", "/admin/"),
            ("monthly report page", "/admin/dashboard/report/"),
            ("monthly report workbook", "/admin/dashboard/report/xlsx/"),
        ):
            median, best, queries, response = timed(client, url)
            print(f"{label:<32}{median:>8.0f} ms median, {best:>5.0f} ms best, {queries} queries")
            if url == "/admin/":
                rows = response.content.count(b'<tr><th scope="row">')
                assert rows >= GRIDS, f"the grid table has {rows} rows"

        from anju.community.models import Community
        from anju.dashboard.board import build_board

        community = Community.objects.get(code="bench")
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                build_board(committee, community)
            times.append((time.perf_counter() - start) * 1000)
        slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:5]
        print(
            f"{'the figures alone (build_board)':<32}{statistics.median(times):>8.0f} ms median, "
            f"{min(times):>5.0f} ms best, {len(captured)} queries"
        )
        for query in slowest:
            print(f"    {float(query['time']) * 1000:>6.0f} ms  {query['sql'][:90]}")

        # The dashboard panel as the home page renders it: figures, charts' data, table.
        from django.test import RequestFactory

        from anju.dashboard.views import DashboardPanel

        request = RequestFactory().get("/admin/")
        request.user = committee
        request.session = {}
        DashboardPanel(request).render_html()
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                html = DashboardPanel(request).render_html()
            times.append((time.perf_counter() - start) * 1000)
        assert html.count('<tr><th scope="row">') >= GRIDS
        print(
            f"{'the dashboard panel, rendered':<32}{statistics.median(times):>8.0f} ms median, "
            f"{min(times):>5.0f} ms best, {len(captured)} queries"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
