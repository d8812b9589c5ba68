"""Shared fixtures and the rules for tests that need real services.

Tests marked ``postgres``, ``redis``, ``celery_worker`` or ``browser`` run whenever the
service is configured (DATABASE_URL, REDIS_URL, CELERY_BROKER_URL, /usr/bin/chromium).
On a bare machine they are skipped with the reason. With ANJU_REQUIRE_SERVICES=1 (set by
.ci/run) any skipped test fails the run: CI must exercise the real parts.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


def _db_is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _broker_is_redis() -> bool:
    return settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))


SERVICES = {
    "postgres": (_db_is_postgres, "needs PostgreSQL: set DATABASE_URL=postgres://..."),
    "redis": (lambda: bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://..."),
    "celery_worker": (
        _broker_is_redis,
        "needs a Celery worker on Redis: set CELERY_BROKER_URL=redis://...",
    ),
    "browser": (
        lambda: os.path.exists(CHROMIUM) and _playwright_installed(),
        f"needs Debian's chromium at {CHROMIUM} and the playwright package",
    ),
}


def _playwright_installed() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return True


def services_required() -> bool:
    return os.environ.get("ANJU_REQUIRE_SERVICES") == "1"


def _transactional(item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    if "transactional_db" in fixtures or "live_server" in fixtures:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    )


def pytest_collection_modifyitems(config, items):
    # Every transactional test restores the migrated data the same way (serialized
    # rollback). Mixing the two kinds breaks whichever runs second: a plain flush
    # re-creates content types with new ids, which a serialized restore then collides
    # with; a serialized test's flush skips post_migrate, leaving the next plain test
    # without the permissions roles are built from. Which follows which depends on
    # pytest-xdist's distribution, so the rule is enforced here, not left to each test.
    for item in items:
        if _transactional(item):
            marker = item.get_closest_marker("django_db")
            kwargs = dict(marker.kwargs) if marker else {}
            if not (marker and marker.args) and not kwargs.get("serialized_rollback"):
                kwargs.update(transaction=True, serialized_rollback=True)
                item.add_marker(pytest.mark.django_db(**kwargs), append=False)
    for item in items:
        for name, (available, reason) in SERVICES.items():
            if item.get_closest_marker(name) and not available():
                item.add_marker(pytest.mark.skip(reason=reason))


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if services_required() and _skipped and not hasattr(session.config, "workerinput"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(
                f"ANJU_REQUIRE_SERVICES=1 but {len(_skipped)} test(s) skipped "
                f"(first: {_skipped[0]}): CI must run every test.",
                red=True,
            )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: cached lookups (a site's community, the
    active plugins) must never leak from one test's rows into another's."""
    from django.core.cache import cache

    from anju.core import localcache

    cache.clear()
    localcache.clear()  # and each process's own copies (anju.core.localcache)
    yield


# --- a real Celery worker -------------------------------------------------------------


def _worker_database_url(db_settings) -> str:
    """The URL of the *test* database, for a worker in another process."""
    if db_settings["ENGINE"] == "django.db.backends.postgresql":
        user = db_settings.get("USER") or ""
        password = f":{db_settings['PASSWORD']}" if db_settings.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        host = db_settings.get("HOST") or "localhost"
        port = f":{db_settings['PORT']}" if db_settings.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{db_settings['NAME']}"
    return f"sqlite:///{db_settings['NAME']}"


class CeleryWorker:
    """A ``celery -A anju worker`` process consuming this test session's own queues: as
    in production, no ``-Q``, so it takes the queues its settings declare
    (CELERY_TASK_QUEUES: the default queue, named by CELERY_TASK_DEFAULT_QUEUE in its
    environment, and the bulk deliveries' ``<default>.bulk``)."""

    def __init__(self, queue: str, env: dict[str, str]):
        self.queue = queue
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log = REPO / f".pytest_cache/celery-worker-{queue}.log"

    def start(self, timeout: float = 30.0) -> None:
        self.log.parent.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "anju",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--hostname",
                f"{self.queue}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=REPO,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        from anju.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited early:\n{self.log.read_text()}")
            replies = app.control.ping(
                destination=[f"{self.queue}@{os.uname().nodename}"], timeout=0.5
            )
            if replies:
                return
        raise RuntimeError(f"Celery worker did not answer in {timeout}s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()

    def kill(self) -> None:
        """Kill the worker hard (SIGKILL), as a crash or an OOM kill would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 9)
            self.process.wait()


@pytest.fixture
def celery_worker(request, django_db_blocker, settings):
    """Start a real worker on the Redis broker and send tasks to it, not in-process.

    Tests that need the worker to see their rows must be transactional
    (``@pytest.mark.django_db(transaction=True)``): the worker is another process.
    """
    if not _broker_is_redis():
        pytest.skip(SERVICES["celery_worker"][1])
    from django.db import connection

    from anju.celery import app

    queue = app.conf.task_default_queue  # this test process's own (settings/test.py)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "anju.settings.test",
        "DATABASE_URL": _worker_database_url(connection.settings_dict),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    old = app.conf.task_always_eager
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    worker = CeleryWorker(queue, env)
    worker.start()
    yield worker
    worker.stop()
    app.conf.task_always_eager = old


# --- a small community with a person in every role ------------------------------------


class World:
    """Two grids of one community, with residents in each, and one user per role.

    ``users`` maps role name to user: superuser, committee (sees the whole community),
    grid_worker and resident_rep (seated on grid 1 only), service_staff, resident,
    partner_staff (staff of ``gas_company``, a partner organisation: sees only what is
    handed over to it). ``anonymous`` is not in ``users``.
    """


@pytest.fixture
def world(db):
    from anju.community.models import TeamRole
    from anju.permissions import PartnerOrganisation, roles
    from anju.plugins.grants import setup_roles
    from tests import factories as f

    setup_roles()  # with the installed plugins' default grants
    w = World()
    w.community = f.CommunityFactory(code="anjuyuan")
    w.grid1 = f.GridFactory(community=w.community, number=1, name="第一网格")
    w.grid2 = f.GridFactory(community=w.community, number=2, name="第二网格")
    w.building1 = f.BuildingFactory(grid=w.grid1, name="1号楼")
    w.building2 = f.BuildingFactory(grid=w.grid2, name="2号楼")
    w.household1 = f.HouseholdFactory(building=w.building1, room="101")
    w.household2 = f.HouseholdFactory(building=w.building2, room="201")
    w.resident1 = f.ResidentFactory(household=w.household1, name="王小明")
    w.resident2 = f.ResidentFactory(household=w.household2, name="李大红")
    w.household1.head = w.resident1
    w.household1.save()
    w.household2.head = w.resident2
    w.household2.save()
    w.users = {
        "superuser": f.UserFactory(username="root", is_superuser=True),
        "committee": f.UserFactory(username="committee", role=roles.COMMITTEE),
        "grid_worker": f.UserFactory(username="gridworker", role=roles.GRID_WORKER),
        "resident_rep": f.UserFactory(username="rep", role=roles.RESIDENT_REP),
        "service_staff": f.UserFactory(username="staff", role=roles.SERVICE_STAFF),
        "resident": f.UserFactory(username="resident", role=roles.RESIDENT, is_staff=False),
        # Staff of an outside organisation (the gas company): sees only what is handed
        # over to it (anju.permissions.partners), nothing of any grid.
        "partner_staff": f.UserFactory(username="gascompany", role=roles.PARTNER_STAFF),
    }
    w.gas_company = PartnerOrganisation.objects.create(
        community=w.community, code="gas_company", name="县燃气公司", phone="96777"
    )
    w.gas_company.members.add(w.users["partner_staff"])
    f.seat(w.users["committee"], w.grid1, TeamRole.COMMITTEE)
    f.seat(w.users["grid_worker"], w.grid1, TeamRole.GRID_WORKER)
    f.seat(w.users["resident_rep"], w.grid1, TeamRole.RESIDENT_REP)
    w.visit1 = f.VisitFactory(household=w.household1, visitor=w.users["grid_worker"])
    w.visit2 = f.VisitFactory(household=w.household2, visitor=w.users["committee"])
    return w


#: Which roles see grid 2's rows (the grid worker and representative sit on grid 1 only).
SEES_GRID_2 = {"superuser", "committee"}
#: Roles with any access to community records at all.
SEES_COMMUNITY_DATA = {"superuser", "committee", "grid_worker", "resident_rep"}
