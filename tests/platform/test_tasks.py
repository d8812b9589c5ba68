import pytest
from django.conf import settings

from anju.celery import app
from anju.core.tasks import ping, publish_scheduled_pages


def test_core_tasks_are_discovered():
    app.loader.import_default_modules()
    assert "anju.ping" in app.tasks
    assert "anju.publish_scheduled_pages" in app.tasks


def test_tasks_run_in_process_by_default():
    assert ping.delay("你好").get(timeout=1) == "你好"


def test_beat_publishes_scheduled_pages_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["wagtail-publish-scheduled"]
    assert entry["task"] == publish_scheduled_pages.name
    assert entry["schedule"] <= 60


@pytest.mark.django_db
def test_publish_scheduled_pages_publishes_a_due_page():
    from datetime import timedelta

    from django.utils import timezone

    from anju.portal.models import StandardPage
    from anju.portal.site import ensure_home_page

    home = ensure_home_page()
    page = home.add_child(instance=StandardPage(title="定时", slug="scheduled", live=False))
    page.go_live_at = timezone.now() + timedelta(seconds=1)
    revision = page.save_revision()
    revision.publish()  # with go_live_at in the future this only schedules it
    page.refresh_from_db()
    assert not page.live
    # Let the minute pass: the revision is now due.
    past = timezone.now() - timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    publish_scheduled_pages.delay()
    page.refresh_from_db()
    assert page.live


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_consumes_tasks_from_redis(celery_worker):
    result = ping.delay("经由 Redis")
    assert result.id
    # The worker stores no results (no result backend is needed): prove it ran by its log.
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        log = celery_worker.log.read_text(errors="replace")
        if result.id in log and "succeeded" in log:
            break
        time.sleep(0.2)
    log = celery_worker.log.read_text(errors="replace")
    assert f"Task anju.ping[{result.id}] succeeded" in log, log


def _result_in_log(worker, result, timeout=30) -> str:
    import re
    import time

    pattern = re.compile(rf"\[{result.id}\] succeeded in [0-9.]+s: (.+)")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = pattern.search(worker.log.read_text(errors="replace"))
        if found:
            return found.group(1).strip()
        time.sleep(0.2)
    raise AssertionError(worker.log.read_text(errors="replace"))


@pytest.fixture
def keeping_worker(monkeypatch, request):
    """A real worker whose settings keep database connections (as production does)."""
    monkeypatch.setenv("CONN_MAX_AGE", "60")
    return request.getfixturevalue("celery_worker")


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_keeps_its_connection_and_replaces_one_that_died(keeping_worker):
    """Celery's fix-up closed the connection around every task; the worker now keeps it
    (CELERY_DB_REUSE_MAX, CONN_MAX_AGE) and, the server having dropped it, the next task
    gets a new one instead of failing (the health check of close_old_connections)."""
    from django.db import connection

    from tests.dummy_plugin.tasks import database_backend

    first = _result_in_log(keeping_worker, database_backend.delay())
    assert _result_in_log(keeping_worker, database_backend.delay()) == first
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [int(first)])
    second = _result_in_log(keeping_worker, database_backend.delay())
    assert second != first
    assert _result_in_log(keeping_worker, database_backend.delay()) == second
