"""The SLA sweep over N overdue cases (100,000): time and memory, in-process.

    DJANGO_SETTINGS_MODULE=anju.settings.test .venv/bin/python benchmarks/sla_sweep.py \
        [N] [--batch=1000] [--profile]

Creates N open, overdue grid-level cases over five grids in a scratch test database
(SQLite in memory unless DATABASE_URL says otherwise; PostgreSQL is what production runs
and what the sweep's SKIP LOCKED batches are for), then prints figures; it asserts
nothing:

* sweep: ``sla.sweep_overdue()`` escalating every case, batch by batch — seconds and
  cases a second;
* sweep again: nothing left to do, which must be quick;
* breach: the same cases, now community-level, running over again and marked breached;
* memory: the peak Python allocation of a sweep over the N cases (tracemalloc, in a run
  of its own: it slows Python down) — one batch at a time, not N.

With ``--profile`` the first sweep runs under cProfile and the top 25 lines are printed.
"""

import logging
import os
import resource
import sys
import time
import tracemalloc
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
from django.utils import timezone  # noqa: E402

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(ARGS[0]) if ARGS else 100_000
OPTIONS = dict(a.removeprefix("--").partition("=")[::2] for a in sys.argv[1:] if a.startswith("--"))
BATCH = int(OPTIONS.get("batch") or 1000)
PROFILE = "profile" in OPTIONS
GRIDS = 5
CHUNK = 5000


def make_cases(n: int):
    """N overdue cases in bulk inserts of 5,000; the encrypted columns' ciphertext is
    computed once and reused (Fernet costs ~20 µs a value)."""
    from django.contrib.auth import get_user_model

    from anju.community.models import Community, Grid, GridTeamMember, TeamRole
    from anju.services.models import Case, Service, ServiceField

    User = get_user_model()
    community = Community.objects.create(name="基准社区", code="bench")
    grids = [
        Grid.objects.create(community=community, number=i, name=f"第{i}网格")
        for i in range(1, GRIDS + 1)
    ]
    for i, grid in enumerate(grids, start=1):
        committee = User.objects.create(username=f"weiyuan{i}")
        worker = User.objects.create(username=f"wanggeyuan{i}")
        GridTeamMember.objects.create(grid=grid, user=committee, role=TeamRole.COMMITTEE)
        GridTeamMember.objects.create(grid=grid, user=worker, role=TeamRole.GRID_WORKER)
    workers = dict(
        GridTeamMember.objects.filter(role=TeamRole.GRID_WORKER).values_list("grid_id", "user_id")
    )
    service = Service.objects.create(title="报修", slug="repair", community=community)
    ServiceField.objects.create(service=service, label="什么坏了", field_type="text")
    version = service.snapshot()

    phone_field = Case._meta.get_field("requester_phone")
    data_field = Case._meta.get_field("data")
    phone = phone_field.get_db_prep_value("13812345678", connection)
    data = data_field.get_db_prep_value(
        {spec["name"]: "楼道灯不亮" for spec in version.fields}, connection
    )
    now = timezone.now()
    hour = timezone.timedelta(hours=1)
    # The ciphertext goes in as it is: the fields must not encrypt it a second time.
    saved = phone_field.get_db_prep_value, data_field.get_db_prep_value
    phone_field.get_db_prep_value = lambda value, connection, prepared=False: value
    data_field.get_db_prep_value = lambda value, connection, prepared=False: value
    try:
        for start in range(0, n, CHUNK):
            rows = []
            for i in range(start, min(start + CHUNK, n)):
                grid = grids[i % GRIDS]
                in_progress = i % 3 == 0
                rows.append(
                    Case(
                        reference=str(10_000_000 + i),
                        service=service,
                        version=version,
                        community=community,
                        grid=grid,
                        requester_name=f"居民{i}",
                        requester_phone=phone,
                        phone_last4="5678",
                        data=data,
                        status="in_progress" if in_progress else "submitted",
                        assignee_id=workers[grid.pk],
                        accept_due=now - 2 * hour,
                        resolve_due=now - hour if in_progress else now + 48 * hour,
                        created_at=now - 30 * hour,
                    )
                )
            Case.objects.bulk_create(rows, batch_size=CHUNK)
    finally:
        phone_field.get_db_prep_value, data_field.get_db_prep_value = saved


def timed(label: str, count: int, fn):
    """Wall and this process's CPU time (PostgreSQL's CPU is not in it), and the load
    average: on a shared machine the wall time alone says little."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = fn()
    seconds = time.perf_counter() - start
    cpu = time.process_time() - start_cpu
    rate = f"{count / seconds:>9,.0f}/s" if count and seconds else ""
    load = os.getloadavg()[0]
    print(f"{label:<38}{seconds:>8.2f} s {rate}  CPU {cpu:.2f} s, load {load:.1f}", flush=True)
    return result


def main():
    from anju.notify.models import Message
    from anju.services import sla
    from anju.services.models import Case, CaseEvent

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"{N:,} overdue cases, {GRIDS} grids, {connection.vendor}, batches of {BATCH:,}\n")
        timed("create cases", N, lambda: make_cases(N))
        sample = Case.objects.order_by("pk").first()
        assert sample.requester_phone == "13812345678"  # the ciphertext reads back

        def sweep():
            return sla.sweep_overdue(size=BATCH)

        if PROFILE:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = timed("sweep (escalate)", N, lambda: profiler.runcall(sweep))
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        else:
            result = timed("sweep (escalate)", N, sweep)
        again = timed("sweep again (nothing to do)", N, sweep)

        # As if escalated by hand (not yet breached), everything runs over at community
        # level too: marked breached, once, and the holders reminded.
        Case.objects.update(sla_breached=False)
        later = timezone.now() + timezone.timedelta(days=30)
        breach = timed(
            "sweep a month on (breach)", N, lambda: sla.sweep_overdue(now=later, size=BATCH)
        )
        events = CaseEvent.objects.count()
        messages = Message.objects.count()

        # Memory, measured apart (tracemalloc slows Python down two- or threefold): the
        # cases back at grid level, overdue, and swept again.
        Case.objects.update(status="submitted", level="grid", sla_breached=False, escalated_at=None)
        CaseEvent.objects.all().delete()
        Message.objects.all().delete()
        tracemalloc.start()
        sweep()
        sweep_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"\nescalated {result.escalated:,} in {result.batches} batches, "
            f"{result.messages} messages; second sweep {again.as_dict()}; breached "
            f"{breach.breached:,} in {breach.batches} batches ({breach.messages} messages); "
            f"{events:,} timeline entries, {messages} messages in the outbox\n"
            f"sweep's peak Python allocation {sweep_peak:.1f} MB; "
            f"process peak RSS {peak:.0f} MB (with the cases this script made)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
