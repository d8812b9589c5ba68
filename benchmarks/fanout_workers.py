"""A notice to 100,000 residents through real Celery workers on Redis: wall and CPU time.

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python benchmarks/fanout_workers.py [N] [--workers=2] [--timeout=600]

Creates N (100,000) residents with phones in a scratch test database (PostgreSQL: the
workers are other processes), starts ``--workers`` Celery workers (prefork, one process
each) on a queue of its own, records the notice's fan-out in the outbox as publishing
does (``anju.core.outbox.schedule``) and hands it to the workers. Prints, from that
moment: when the fan-out finished (a message for every resident, the outbox row done:
issue 20's target is under 60 s with 2 workers) and when every message was delivered
(default SMS backend, a ``notify.deliver_batch`` task per NOTIFY_DELIVERY_BATCH messages
on the bulk queue, which the workers consume besides the default one), the workers' CPU
time (from /proc: their processes and their children) in all and per message, and the
load average: on a shared machine the CPU time is the fairer figure. PostgreSQL's CPU
comes on top and is not counted (Celery's Django fixup closes the database connection
around every task, so the backends serving the workers come and go). It asserts
nothing.
"""

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.test")
os.environ.setdefault("ANJU_TEST_PLUGINS", "")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
QUEUE = f"anju-fanout-bench-{os.getpid()}"
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
logging.disable(logging.WARNING)

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

sys.path.insert(0, str(REPO / "benchmarks"))
from fanout import make_notice, make_residents  # noqa: E402

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(ARGS[0]) if ARGS else 100_000
OPTIONS = dict(a.removeprefix("--").partition("=")[::2] for a in sys.argv[1:] if a.startswith("--"))
WORKERS = int(OPTIONS.get("workers") or 2)
TIMEOUT = float(OPTIONS.get("timeout") or 600)
TICK = os.sysconf("SC_CLK_TCK")
LOG_DIR = Path(tempfile.mkdtemp(prefix="anju-fanout-"))  # the workers' logs


def database_url() -> str:
    s = connection.settings_dict
    auth = s.get("USER") or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


def start_workers() -> list[subprocess.Popen]:
    from django.conf import settings

    from anju.celery import app

    env = {**os.environ, "DATABASE_URL": database_url()}
    workers = []
    for n in range(WORKERS):
        workers.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "anju", "worker", "--pool=prefork",
                 "--concurrency=1", "-Q", f"{QUEUE},{settings.NOTIFY_BULK_QUEUE}",
                 "--loglevel=WARNING",
                 "--hostname", f"{QUEUE}-{n}@%h", "--without-gossip", "--without-mingle"],
                cwd=REPO, env=env, stdout=LOG_DIR.joinpath(f"worker-{n}.log").open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )  # fmt: skip
    names = {f"{QUEUE}-{n}@{os.uname().nodename}" for n in range(WORKERS)}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answered = {name for reply in app.control.ping(timeout=1) for name in reply}
        if names <= answered:
            return workers
    raise RuntimeError("the workers did not answer in 120 s")


def cpu_seconds(pids) -> float:
    """utime + stime of the processes and their children, reaped or alive."""
    total = 0
    for pid in pids:
        for child in [pid, *children(pid)]:
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / TICK


def children(pid) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def main():
    from anju.core import outbox
    from anju.core.models import OutboxTask
    from anju.notices import tasks as notice_tasks
    from anju.notify.models import Message, Status

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    workers = []
    try:
        print(
            f"{N:,} residents with phones, {connection.vendor}, {WORKERS} Celery workers "
            f"(logs in {LOG_DIR})\n",
            flush=True,
        )
        started = time.perf_counter()
        make_residents(N)
        print(f"residents made in {time.perf_counter() - started:.0f} s")
        page = make_notice("停水通知")
        workers = start_workers()
        pids = [w.pid for w in workers]
        cpu_before = cpu_seconds(pids)
        load_before = os.getloadavg()
        start = time.perf_counter()
        with transaction.atomic():  # as a publish records it
            outbox.schedule(
                notice_tasks.FAN_OUT_HANDLER,
                key=notice_tasks.dedup_prefix(page.pk),
                page_id=page.pk,
            )
        fanned = delivered = None
        while time.perf_counter() - start < TIMEOUT:
            time.sleep(0.5)
            now = time.perf_counter() - start
            if fanned is None and OutboxTask.objects.filter(state="done").exists():
                fanned, fanned_cpu = now, cpu_seconds(pids) - cpu_before
                made = Message.objects.count()
                print(f"fan-out done: {made:,} messages in {fanned:.1f} s wall")
            if fanned is not None and not Message.objects.exclude(status=Status.SENT).exists():
                delivered, delivered_cpu = now, cpu_seconds(pids) - cpu_before
                break
        load_after = os.getloadavg()
        sent = Message.objects.filter(status=Status.SENT).count()
        print()
        if fanned is not None:
            print(
                f"fan-out (messages created, tasks queued): {fanned:7.1f} s wall, "
                f"workers' CPU {fanned_cpu:.1f} s"
            )
        else:
            print(f"fan-out not finished in {TIMEOUT:.0f} s")
        if delivered is not None:
            rate = sent / delivered
            print(
                f"every message delivered:                  {delivered:7.1f} s wall, "
                f"workers' CPU {delivered_cpu:.1f} s ({rate:,.0f} a second)"
            )
        else:
            delivered_cpu = cpu_seconds(pids) - cpu_before
            print(
                f"delivered {sent:,} of {Message.objects.count():,} messages for {N:,} "
                f"residents in {TIMEOUT:.0f} s, workers' CPU {delivered_cpu:.1f} s"
            )
        if sent:
            print(
                f"workers' CPU per message delivered (fan-out included): "
                f"{delivered_cpu / sent * 1000:.2f} ms"
            )
        print(
            f"load average before {' '.join(f'{x:.1f}' for x in load_before)}, "
            f"after {' '.join(f'{x:.1f}' for x in load_after)} ({os.cpu_count()} cores)"
        )
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        from django.conf import settings

        from anju.celery import app

        with app.connection_for_write() as conn:  # what the workers left undone
            for queue in (QUEUE, settings.NOTIFY_BULK_QUEUE):
                conn.default_channel.queue_purge(queue)
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
