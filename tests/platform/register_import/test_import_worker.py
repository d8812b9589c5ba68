"""Through a real Celery worker on Redis, on PostgreSQL: a started import runs in steps
on the worker while the status endpoint (what the progress bar polls) moves to 100%."""

import time

import pytest
from django.urls import reverse

from anju.community.models import Resident
from anju.register.models import RegisterImport

from .test_import import good_rows, upload, xlsx

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def small_steps(monkeypatch, settings):
    """One row a step, in this process and in the worker it starts (requested before
    ``celery_worker``, so the worker's environment carries it)."""
    monkeypatch.setenv("REGISTER_IMPORT_STEP", "1")
    settings.REGISTER_IMPORT_STEP = 1


def test_the_worker_imports_and_the_progress_moves(client, world, small_steps, celery_worker):
    from anju.community.models import SpecialGroup

    for code, name in SpecialGroup.BUILT_IN.items():
        SpecialGroup.objects.get_or_create(code=code, defaults={"name": name, "built_in": True})
    upload(client, world.users["committee"], xlsx(good_rows()))
    batch = RegisterImport.objects.get()
    assert batch.state == RegisterImport.State.CHECKED
    response = client.post(reverse("anju_register_import_start", args=[batch.pk]))
    assert response.status_code == 302

    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.get(reverse("anju_register_import_status", args=[batch.pk])).json()
        seen.append(status["done"])
        if status["finished"]:
            break
        time.sleep(0.05)
    assert status["state"] == "done", (status, celery_worker.log.read_text()[-2000:])
    assert status["percent"] == 100 and status["residents_created"] == 4
    assert seen == sorted(seen)  # the bar only moves forward
    assert Resident.objects.filter(name__in=["张建国", "李秀英", "张小军", "赵老汉"]).count() == 4
