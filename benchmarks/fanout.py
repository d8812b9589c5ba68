"""A notice to 10,000 residents: time to fan out and to deliver, in-process.

    DJANGO_SETTINGS_MODULE=anju.settings.test .venv/bin/python benchmarks/fanout.py \
        [N] [--end-to-end]

Creates N (10,000) residents with phones in a scratch test database (SQLite in memory
unless DATABASE_URL says otherwise), then prints figures; it asserts nothing:

* fan-out: one outbox message per resident, in batches, tasks not yet sent;
* deliver: every message through ``notify.deliver_message`` (Celery, eager: a task a
  message, as single messages go), then again through ``notify.deliver_batch`` (a task
  per NOTIFY_DELIVERY_BATCH messages, as a fan-out's go); default SMS backend (sending
  writes the SMS log rows);
* re-run: the same fan-out again, which must create nothing;
* with ``--end-to-end`` (about 40 s more on SQLite): ``notices.fan_out_notice`` for a
  second notice with eager tasks, as ``make run`` does it (fan-out and delivery
  interleaved, batch by batch).
"""

import datetime
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

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(ARGS[0]) if ARGS else 10_000
END_TO_END = "--end-to-end" in sys.argv


def make_residents(n: int):
    from anju.community.idnumbers import make_id_number
    from anju.community.models import (
        Building,
        Community,
        Grid,
        Household,
        Resident,
        id_number_digest,
    )

    community = Community.objects.create(name="基准社区", code="bench")
    grid = Grid.objects.create(community=community, number=1, name="第一网格")
    buildings = Building.objects.bulk_create(
        Building(grid=grid, name=f"{b}号楼") for b in range(1, 21)
    )
    households = Household.objects.bulk_create(
        Household(building=b, unit=f"{u}单元", room=str(r))
        for b in buildings
        for u in (1, 2)
        for r in range(101, 226)  # 20 × 2 × 125 = 5,000 households
    )
    rows = []
    for i in range(n):
        born = datetime.date(1940, 1, 1) + datetime.timedelta(days=i // 900)
        id_number = make_id_number("410105", born, 100 + i % 900)
        rows.append(
            Resident(
                household=households[i % len(households)],
                community=community,
                name=f"居民{i}",
                gender=Resident.Gender.FEMALE,
                birth_date=born,
                id_number=id_number,
                id_number_digest=id_number_digest(id_number),
                phone=f"139{i:08d}",
            )
        )
    Resident.objects.bulk_create(rows, batch_size=1000)


def make_notice(title: str):
    from anju.notices.models import NoticeIndexPage, NoticePage
    from anju.portal.site import ensure_home_page

    index = NoticeIndexPage.objects.first()
    if index is None:
        index = ensure_home_page().add_child(
            instance=NoticeIndexPage(title="通知公告", slug="notices")
        )
    # live=True through add_child: no publish signal, so nothing starts by itself.
    return index.add_child(
        instance=NoticePage(title=title, slug=f"n{time.monotonic_ns()}", body="<p>.</p>")
    )


def timed(label: str, count: int, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    rate = f"{count / seconds:>9,.0f}/s" if count and seconds else ""
    print(f"{label:<38}{seconds:>8.2f} s {rate}")
    return result


def deliver_all(batches: bool = True):
    """Every pending message: a ``deliver_batch`` task per NOTIFY_DELIVERY_BATCH, as a
    fan-out hands them over, or (``batches=False``) a ``deliver_message`` task each."""
    from anju.notify import conf
    from anju.notify.models import Message, Status
    from anju.notify.tasks import deliver_batch, deliver_message

    size = conf.delivery_batch()
    pending = Message.objects.filter(status=Status.PENDING).order_by("pk")
    last = 0
    while ids := list(pending.filter(pk__gt=last).values_list("pk", flat=True)[:500]):
        if batches:
            for i in range(0, len(ids), size):
                deliver_batch.delay(ids[i : i + size])
        else:
            for pk in ids:
                deliver_message.delay(pk)
        last = ids[-1]


def undeliver_all():
    """Every message pending again, the SMS log empty: to deliver them another way."""
    from anju.notify.models import Message, SmsLog, Status

    SmsLog.objects.all().delete()
    Message.objects.update(status=Status.PENDING, sent_at=None, attempts=0)


def main():
    from anju import notify
    from anju.notices import tasks as notice_tasks
    from anju.notify.models import Message, SmsLog, Status

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        vendor = connection.vendor
        print(f"{N:,} residents with phones, {vendor}, tasks in-process\n")
        timed("create residents", N, lambda: make_residents(N))
        page = make_notice("停水通知")

        def fan_out():
            return notify.fan_out(
                notice_tasks.notice_recipients(page),
                template=notice_tasks.NOTICE_TEMPLATE,
                payload=notice_tasks.notice_payload(page),
                dedup_prefix=notice_tasks.dedup_prefix(page.pk),
                send=False,
            )

        created = timed("fan-out (messages created)", N, fan_out)
        # Again on an empty outbox, measuring memory: one batch at a time, not N.
        Message.objects.all().delete()
        tracemalloc.start()
        fan_out()
        fan_out_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        timed("deliver, a task a message", N, lambda: deliver_all(batches=False))
        undeliver_all()
        timed("deliver, a task a batch (as fan-outs do)", N, deliver_all)
        rerun = timed("fan-out again (creates nothing)", N, fan_out)

        if END_TO_END:
            second = make_notice("燃气检查")

            def end_to_end():
                # As after a publish commits: the task, with its on_commit deliveries.
                with transaction.atomic():
                    transaction.on_commit(lambda: notice_tasks.fan_out_notice.delay(second.pk))

            timed("end to end, eager (fan-out + deliver)", N, end_to_end)

        sent = Message.objects.filter(status=Status.SENT).count()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"\ncreated {created:,}, re-run created {rerun}, sent {sent:,} of "
            f"{Message.objects.count():,}, SMS log {SmsLog.objects.count():,}\n"
            f"fan-out's peak Python allocation {fan_out_peak:.1f} MB; "
            f"process peak RSS {peak:.0f} MB (with the residents this script made)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
