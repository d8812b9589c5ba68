"""The dashboard for 500 grids: time and queries of the committee's admin home.

    DATABASE_URL=postgres://... DJANGO_SETTINGS_MODULE=anju.settings.test \
        .venv/bin/python benchmarks/dashboard.py [GRIDS] [HOUSEHOLDS_PER_GRID]

Builds, in a scratch test database, a community of GRIDS grids (500) with
HOUSEHOLDS_PER_GRID households each (100: 50,000 households and residents), visits to
half of them this month, 20 cases per grid in every state (10,000), a notice that must
reach every household with a third reached, and a campaign round over every household
with a quarter done. Then, signed in as a committee member, it times the admin home
(the dashboard panel with every tile, the charts' data and the 500-row grid table) and
the monthly report's workbook, and prints the queries of each: cold (nothing kept, not
even the past months' visited households of ``anju.dashboard.visited``), after a visit
recorded today (the 60 s figures' cache dropped by it, the past months kept), and
without the 60 s cache (past months kept). The target is under
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
os.environ.setdefault("DASHBOARD_CACHE_SECONDS", "0")  # uncached unless said otherwise
logging.disable(logging.WARNING)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
OPTIONS = dict((arg[2:].split("=", 1) + [""])[:2] for arg in sys.argv[1:] if arg.startswith("--"))
GRIDS = int(ARGS[0]) if ARGS else 500
PER_GRID = int(ARGS[1]) if len(ARGS) > 1 else 100
KEEPDB = "keepdb" in OPTIONS  # reuse (and keep) the scratch database built last time
EXPLAIN = "explain" in OPTIONS  # print EXPLAIN ANALYZE of each query of the figures
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
    # And a quarter of them in each of the five months before, for the trend.
    Visit.objects.bulk_create(
        [
            Visit(
                household=h, visitor=committee, visited_on=today - datetime.timedelta(days=31 * m)
            )
            for m in range(1, 6)
            for h in households[m % 4 :: 4]
        ],
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


def county_sizes() -> dict:
    """``--county`` sizes: ``--communities=``, ``--households=``, ``--visits=``,
    ``--cases=`` (a tenth of issue 20's county by default; ``--full`` for all of it)."""
    full = {"communities": 100, "households": 100_000, "visits": 1_000_000, "cases": 100_000}
    scale = 1 if "full" in OPTIONS else 10
    return {k: int(OPTIONS.get(k, v // scale)) for k, v in full.items()}


def build_county(sizes: dict):
    """The generated county, and a committee member of its first community (a committee
    seat in its first grid: the community-wide grant follows from the seat)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from anju.community.models import Community, Grid, GridTeamMember, TeamRole
    from anju.permissions import roles

    call_command("generate_county", *[f"--{k}={v}" for k, v in sizes.items()])
    community = Community.objects.filter(code__startswith="county-").order_by("code").first()
    committee = get_user_model().objects.create(username="county-weiyuan", is_staff=True)
    committee.groups.add(roles.group_for(roles.COMMITTEE))
    grid = Grid.objects.filter(community=community).order_by("number").first()
    GridTeamMember.objects.create(grid=grid, user=committee, role=TeamRole.COMMITTEE)
    return committee, community


def reuse_county():
    from django.contrib.auth import get_user_model

    from anju.community.models import Community

    committee = get_user_model().objects.filter(username="county-weiyuan").first()
    if committee is None:
        return None, None
    return committee, Community.objects.filter(code__startswith="county-").order_by("code").first()


def reuse():
    from django.contrib.auth import get_user_model

    from anju.community.models import Community

    committee = get_user_model().objects.filter(username="weiyuan").first()
    if committee is None:
        return None, None
    return committee, Community.objects.get(code="bench")


def backend_cpu() -> float:
    """CPU seconds the PostgreSQL backend serving this connection has used (from /proc:
    the database runs on this machine), 0 if it cannot be read."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def clock(fn, runs=RUNS, before=None):
    """(median wall ms, best wall ms, median CPU ms of this process, median CPU ms of the
    database backend, queries, result) of ``runs`` calls of ``fn``, after one to warm the
    per-process caches. CPU does not grow with the machine's load; wall time does.
    ``before`` runs, untimed, before each call."""
    from django.db import reset_queries

    fn()
    walls, cpus, db_cpus, queries, result = [], [], [], 0, None
    for _ in range(runs):
        if before:
            before()
        reset_queries()
        db = backend_cpu()
        with CaptureQueriesContext(connection) as captured:
            cpu, wall = time.process_time(), time.perf_counter()
            result = fn()
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        db_cpus.append((backend_cpu() - db) * 1000)
        queries = len(captured)
    clock.captured = captured
    return (
        statistics.median(walls),
        min(walls),
        statistics.median(cpus),
        statistics.median(db_cpus),
        queries,
        result,
    )


def line(label, median, best, cpu, db_cpu, queries):
    print(
        f"{label:<34}{median:>6.0f} ms wall median, {best:>5.0f} best; CPU {cpu:>4.0f} ms app "
        f"+ {db_cpu:>4.0f} ms PostgreSQL; {queries} queries"
    )


def explain(captured) -> None:
    """EXPLAIN ANALYZE of each query the figures ran, slowest first (the plan's top
    lines and its execution time)."""
    for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"])):
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
        print(f"\n-- {float(query['time']) * 1000:.0f} ms  {sql[:160]}")
        for row in plan:
            print("   ", row)


def measure(committee, community, grids: int) -> None:
    from django.test import Client, RequestFactory, override_settings

    from anju.dashboard.board import build_board
    from anju.dashboard.views import DashboardPanel

    client = Client()
    client.force_login(committee)

    def get(url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return fetch

    from anju.community.models import Household, Visit
    from anju.dashboard import visited

    household = Household.objects.filter(building__grid__community=community).first()

    def write_this_month():
        """A visit recorded today, as a grid worker would (its signals and all)."""
        Visit.objects.create(household=household, visitor=committee)

    print(f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}\n")
    line("admin home, cold (nothing kept)", *clock(get("/admin/"), before=visited.forget)[:5])
    with override_settings(DASHBOARD_CACHE_SECONDS=60):  # as deployed: the write drops it
        line("admin home, after a write today", *clock(get("/admin/"), before=write_this_month)[:5])
    for label, url in (
        ("admin home (the dashboard)", "/admin/"),
        ("monthly report page", "/admin/dashboard/report/"),
        ("monthly report workbook", "/admin/dashboard/report/xlsx/"),
    ):
        *figures, response = clock(get(url))
        line(label, *figures)
        if url == "/admin/":
            rows = response.content.count(b'<tr><th scope="row">')
            assert rows >= grids, f"the grid table has {rows} rows"

    def cached_home():
        with override_settings(DASHBOARD_CACHE_SECONDS=60):
            response = client.get("/admin/")
        assert response.status_code == 200
        return response

    line("admin home, figures cached (60 s)", *clock(cached_home)[:5])

    *figures, _board = clock(lambda: build_board(committee, community), before=visited.forget)
    line("the figures alone, cold", *figures)
    *figures, _board = clock(lambda: build_board(committee, community))
    line("the figures alone (build_board)", *figures)
    captured = clock.captured
    for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:6]:
        print(f"    {float(query['time']) * 1000:>6.0f} ms  {query['sql'][:90]}")

    # The dashboard panel as the home page renders it: figures, charts' data, table.
    request = RequestFactory().get("/admin/")
    request.user = committee
    request.session = {}

    def panel():
        return DashboardPanel(request).render_html()

    *figures, html = clock(panel)
    assert html.count('<tr><th scope="row">') >= grids
    line("the dashboard panel, rendered", *figures)
    print(f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    if EXPLAIN:
        explain(captured)


def main():
    setup_test_environment()
    county = "county" in OPTIONS
    # Databases of their own (not pytest's test_<name>), so both can be kept.
    test = connection.settings_dict.setdefault("TEST", {})
    test["NAME"] = f"test_{connection.settings_dict['NAME']}_{'county' if county else 'bench'}"
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=KEEPDB)
    # The cache may hold what a test run left (a site's community, kept months) under
    # ids that mean other rows in this database: start from an empty one, as tests do.
    from django.core.cache import cache

    cache.clear()
    try:
        start = time.perf_counter()
        committee = None
        if KEEPDB:
            committee, community = reuse_county() if county else reuse()
        if committee is None and county:
            sizes = county_sizes()
            print(f"county: {sizes}")
            committee, community = build_county(sizes)
        elif committee is None:
            committee, _households, _cases = build()
            from anju.community.models import Community

            community = Community.objects.get(code="bench")
        # What autovacuum does a little after a bulk load: without statistics the
        # planner takes 50,000 rows for a few dozen and sorts where it should hash.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        from anju.community.models import Grid, Household, Resident, Visit
        from anju.services.models import Case

        grids = Grid.objects.filter(community=community).count()
        print(
            f"{'county, one community of it: ' if county else ''}{grids} grids, "
            f"{Household.objects.filter(building__grid__community=community).count():,} "
            f"households (in the database: {Household.objects.count():,} households, "
            f"{Resident.objects.count():,} residents, {Visit.objects.count():,} visits, "
            f"{Case.objects.count():,} cases), {connection.vendor}; "
            f"ready in {time.perf_counter() - start:.1f} s"
        )
        measure(committee, community, grids)
    finally:
        if not KEEPDB:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
