"""Helpers for the notify tests: many residents quickly, notices, extra Celery workers."""

import datetime
import itertools
import json
import time

import pytest

from tests.conftest import CeleryWorker

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _leave_factory_sequences_as_found():
    """The ``world`` fixture advances the factories' session-wide sequences, and other
    tests' factory-made rows can collide with world's fixed ones once a sequence gets far
    enough (HouseholdFactory's 101st room is "201", world.household2's). These tests put
    the sequences back, so adding them shifts nobody else's numbers."""
    from tests import factories

    classes = [
        value
        for value in vars(factories).values()
        if isinstance(value, type) and issubclass(value, factories.factory.Factory)
    ]
    for cls in classes:
        cls._meta._initialize_counter()
    saved = {cls: cls._meta.counter_reference._counter.seq for cls in classes}
    yield
    for cls, seq in saved.items():
        cls._meta.counter_reference._counter.reset(seq)


@pytest.fixture
def sent_tasks(monkeypatch):
    """Record each message handed to Celery (with its task's countdown) and run the
    task: one ``deliver_message`` per single message, ``deliver_batch`` for batches
    (whose tasks are recorded in ``calls.batches``: ids, countdown, queue)."""
    from anju.notify.tasks import deliver_batch, deliver_message

    class Calls(list):
        batches: list = []

    calls = Calls()
    calls.batches = []
    single, batch = deliver_message.apply_async, deliver_batch.apply_async

    def apply_single(args=None, kwargs=None, countdown=None, **options):
        calls.append((args[0], countdown))
        return single(args, kwargs, countdown=countdown, **options)

    def apply_batch(args=None, kwargs=None, countdown=None, **options):
        calls.extend((pk, countdown) for pk in args[0])
        calls.batches.append((list(args[0]), countdown, options.get("queue")))
        return batch(args, kwargs, countdown=countdown, **options)

    monkeypatch.setattr(deliver_message, "apply_async", apply_single)
    monkeypatch.setattr(deliver_batch, "apply_async", apply_batch)
    return calls


def make_residents(households, count, *, with_phone=True):
    """``count`` residents spread over ``households``, in one bulk insert (factories
    would take a query or three each). Valid, distinct ID numbers; phones 139xxxxxxxx."""
    from anju.community.idnumbers import make_id_number
    from anju.community.models import Resident, id_number_digest

    households = list(households)
    rows = []
    for i in range(count):
        n = next(_serial)
        household = households[i % len(households)]
        born = datetime.date(1940, 1, 1) + datetime.timedelta(days=n // 500)
        id_number = make_id_number("410105", born, 100 + n % 500)
        rows.append(
            Resident(
                household=household,
                community_id=household.building.grid.community_id,
                name=f"居民{n}",
                gender=Resident.Gender.FEMALE,
                birth_date=born,
                id_number=id_number,
                id_number_digest=id_number_digest(id_number),
                phone=f"139{n:08d}" if with_phone else None,
                relation=Resident.Relation.OTHER,
            )
        )
    return Resident.objects.bulk_create(rows, batch_size=1000)


def make_households(building, count):
    """``count`` households in ``building``, in one insert. (Not HouseholdFactory: its
    room sequence is shared by the whole test session, and pushing it up here would make
    other tests' rooms collide with the fixed ones of the ``world`` fixture.)"""
    from anju.community.models import Household

    return Household.objects.bulk_create(
        Household(building=building, unit="9单元", room=f"N{next(_serial)}") for _ in range(count)
    )


def notice_index():
    from anju.notices.models import NoticeIndexPage
    from anju.portal.site import ensure_home_page

    index = NoticeIndexPage.objects.first()
    if index is None:
        home = ensure_home_page()
        index = home.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))
    return index


def draft_notice(title="停水通知", **audience):
    """A NoticePage saved as a draft (not live) under the notice list. ``audience`` may
    give ``audience`` and ``audience_grids`` / ``_buildings`` / ``_groups``."""
    from anju.notices.models import NoticePage

    m2m = {k: audience.pop(k) for k in list(audience) if k.startswith("audience_")}
    page = NoticePage(
        title=title,
        slug=f"notice-{next(_serial)}",
        summary="明天上午停水",
        body="<p>明天上午8点至12点停水。</p>",
        live=False,
        **audience,
    )
    for name, values in m2m.items():
        getattr(page, name).set(values)
    return notice_index().add_child(instance=page)


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


# --- real workers ------------------------------------------------------------------------


WORKER_SETTINGS = "tests.platform.notify.worker_settings"


@pytest.fixture
def start_worker(celery_worker):
    """Start further workers on the test's queue: ``start_worker(**env)`` starts one with
    the real worker's environment plus ``env`` (so ``DJANGO_SETTINGS_MODULE``, and the
    knobs worker_settings reads, reach the subprocess). Stops them all afterwards."""
    started = []

    def start(name="extra", **env):
        worker = CeleryWorker(celery_worker.queue, {**celery_worker.env, **env})
        worker.log = celery_worker.log.with_name(f"celery-worker-{celery_worker.queue}-{name}.log")
        worker.start(timeout=60)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    forget_unacked(celery_worker.queue)


def broker():
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def queues(queue) -> list[str]:
    """A worker's default queue and its bulk queue (settings: NOTIFY_BULK_QUEUE)."""
    return [queue, f"{queue}.bulk"]


def queue_length(queue) -> int:
    """Tasks waiting in the default queue ``queue`` and its bulk queue."""
    client = broker()
    return sum(client.llen(name) for name in queues(queue))


def _unacked(client, queue):
    for tag, raw in client.hscan_iter("unacked"):
        try:
            _message, _exchange, routing_key = json.loads(raw)
        except (ValueError, TypeError):
            continue
        if routing_key in queues(queue):
            yield tag


def unacked_count(queue) -> int:
    """Tasks of these queues a worker took and never acknowledged (lost if it was killed)."""
    return sum(1 for _tag in _unacked(broker(), queue))


def forget_unacked(queue) -> None:
    """Drop this queue's tasks that a killed worker left "unacknowledged" in the broker
    (Redis would restore them to our dead queue in an hour) and the queue itself. Other
    queues' entries (other test runs share the broker) are left alone."""
    client = broker()
    for tag in list(_unacked(client, queue)):
        client.hdel("unacked", tag)
        client.zrem("unacked_index", tag)
    client.delete(*queues(queue))


def wait_for(condition, timeout=60.0, interval=0.2, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
