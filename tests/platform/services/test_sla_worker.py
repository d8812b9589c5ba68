"""Through a real Celery worker on Redis, on PostgreSQL: the SLA sweep escalates 100,000
overdue cases in batches, telling each new holder once per batch, not once per case.

Run with PostgreSQL and Redis::

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/anju_wf \\
        REDIS_URL=redis://127.0.0.1:6379/12 CELERY_BROKER_URL=redis://127.0.0.1:6379/13
"""

import math
import re
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from anju.community.models import TeamRole
from anju.notify.models import Message
from anju.permissions import roles
from anju.services.models import Case, CaseEvent, Level, Service, ServiceField, Status
from anju.services.tasks import sweep_overdue
from tests import factories as f

# serialized_rollback: a transactional test that follows one with serialized rollback
# (the browser tests) would otherwise find the database flushed, permissions and all.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CASES = 100_000


@pytest.fixture
def result_backend(monkeypatch):
    """Task results through Redis, for this test and the worker it starts (the project
    runs without a result backend). Requested before ``celery_worker``, so the worker's
    environment carries it."""
    from anju.celery import app

    url = django_settings.CELERY_BROKER_URL
    monkeypatch.setenv("CELERY_RESULT_BACKEND", url)
    old = app.conf.result_backend
    app.conf.result_backend = url
    app._local.__dict__.pop("backend", None)  # the cached (disabled) backend
    yield
    app.conf.result_backend = old
    app._local.__dict__.pop("backend", None)


def insert_overdue_cases(service, grids, count: int) -> None:
    """``count`` open, overdue grid-level cases in one INSERT … SELECT. The encrypted
    columns get one ciphertext, computed once (Fernet takes ~20 µs a row)."""
    version = service.current_version
    phone = Case._meta.get_field("requester_phone").get_db_prep_value("13812345678", connection)
    answers = {spec["name"]: "楼道灯不亮" for spec in version.fields}
    data = Case._meta.get_field("data").get_db_prep_value(answers, connection)
    now = timezone.now()
    hour = timezone.timedelta(hours=1)
    # A third in progress past resolving, the rest not accepted in time; grids in turn.
    sql = f"""
        INSERT INTO {Case._meta.db_table} (
            reference, service_id, version_id, community_id, grid_id, requester_name,
            requester_phone, phone_last4, on_behalf, data, status, level, accept_due,
            resolve_due, sla_breached, rejection_reason, created_at, updated_at
        )
        SELECT
            (10000000 + g)::text, %(service)s, %(version)s, %(community)s,
            (%(grids)s::int[])[1 + g %% %(grid_count)s], '居民' || g, %(phone)s, '5678',
            false, %(data)s::jsonb,
            CASE WHEN g %% 3 = 0 THEN 'in_progress' ELSE 'submitted' END, 'grid',
            %(accept_due)s,
            CASE WHEN g %% 3 = 0 THEN %(overdue)s ELSE %(resolve_due)s END,
            false, '', %(created)s, %(created)s
        FROM generate_series(1, %(count)s) AS g
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "service": service.pk,
                "version": version.pk,
                "community": service.community_id,
                "grids": [grid.pk for grid in grids],
                "grid_count": len(grids),
                "phone": phone,
                "data": data,
                "accept_due": now - 2 * hour,
                "overdue": now - hour,
                "resolve_due": now + 48 * hour,
                "created": now - 30 * hour,
                "count": count,
            },
        )


def test_the_worker_escalates_a_hundred_thousand_overdue_cases(
    world, result_backend, celery_worker
):
    committee = world.users["committee"]  # seated on grid 1
    committee2 = f.UserFactory(username="committee2", role=roles.COMMITTEE)
    f.seat(committee2, world.grid2, TeamRole.COMMITTEE)
    service = Service.objects.create(title="报修", slug="repair", community=world.community)
    ServiceField.objects.create(service=service, label="什么坏了", field_type="text")
    service.snapshot()

    started = time.monotonic()
    insert_overdue_cases(service, [world.grid1, world.grid2], CASES)
    inserted = time.monotonic() - started
    assert Case.objects.overdue().filter(level=Level.GRID).count() == CASES
    # The bulk-made rows read back like any other case.
    sample = Case.objects.order_by("pk").first()
    assert sample.requester_phone == "13812345678" and "楼道灯不亮" in dict(sample.answers).values()

    started = time.monotonic()
    result = sweep_overdue.delay()
    figures = result.get(timeout=300)
    swept = time.monotonic() - started
    # The worker logs the task's success just after storing its result.
    succeeded = re.compile(rf"Task services\.sweep_overdue\[{result.id}\] succeeded in ([\d.]+)s")
    deadline = time.monotonic() + 30
    while not succeeded.search(log := celery_worker.log.read_text(errors="replace")):
        assert time.monotonic() < deadline, log[-3000:]
        time.sleep(0.2)
    worker_seconds = float(succeeded.search(log).group(1))

    size = int(getattr(django_settings, "SERVICES_SLA_BATCH_SIZE", 1000))
    batches = math.ceil(CASES / size)
    assert figures["escalated"] == CASES and figures["breached"] == 0
    assert figures["batches"] == batches
    assert not Case.objects.filter(level=Level.GRID).exists()
    assert (
        Case.objects.filter(
            status=Status.ESCALATED, level=Level.COMMUNITY, sla_breached=True
        ).count()
        == CASES
    )
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATED).count() == CASES
    assert set(Case.objects.values_list("grid_id", "assignee_id").distinct()) == {
        (world.grid1.pk, committee.pk),
        (world.grid2.pk, committee2.pk),
    }
    # One message per holder per batch: two holders, so at most two a batch.
    messages = Message.objects.filter(template="services.escalated")
    assert figures["messages"] == messages.count()
    assert batches <= messages.count() <= 2 * batches
    per_user = dict(
        (user_id, sum(m.payload["count"] for m in messages.filter(user_id=user_id)))
        for user_id in (committee.pk, committee2.pk)
    )
    assert sum(per_user.values()) == CASES
    assert per_user[committee.pk] == CASES // 2

    # A second sweep finds nothing left to do.
    again = sweep_overdue.delay().get(timeout=60)
    assert again == {"escalated": 0, "breached": 0, "batches": 0, "messages": 0}
    assert messages.count() == figures["messages"]

    print(  # shown with -s: the figures for the report
        f"\n{CASES:,} cases inserted in {inserted:.1f} s; swept by the worker in "
        f"{worker_seconds:.1f} s ({swept:.1f} s round trip), "
        f"{figures['batches']} batches, {figures['messages']} messages"
    )
