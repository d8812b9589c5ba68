"""PostgreSQL drops the connection in the middle of a request (a failover, a restart,
an administrator's pg_terminate_backend): the request's transaction is rolled back
whole, and the resident's retry with the same key files the request once. Nothing
half-saved, nothing doubled."""

import pytest
from django.db import connection
from django.db.models.signals import post_save
from rest_framework.test import APIClient

from anju.notify.models import Message
from anju.services.models import Case, CaseEvent
from tests.platform.services.conftest import answers_for, built_service  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def drop_connection_once():
    """A receiver that, the first time a case is saved, has PostgreSQL terminate this
    very connection — mid-transaction, as a failover would."""
    fired = []

    def receiver(sender, instance, created, **kwargs):
        if created and not fired:
            fired.append(instance.pk)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    post_save.connect(receiver, sender=Case, weak=False, dispatch_uid="faults.drop")
    return fired


def test_a_connection_dropped_mid_submit_loses_and_doubles_nothing(world, built_service):  # noqa: F811
    url = f"/api/services/forms/{built_service.slug}/submit/"
    body = {
        **answers_for(built_service),
        "requester_name": "王小明",
        "requester_phone": "13812345678",
    }
    fired = drop_connection_once()
    try:
        client = APIClient(raise_request_exception=False)
        first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    finally:
        post_save.disconnect(sender=Case, dispatch_uid="faults.drop")
    assert fired, "the connection was never dropped"
    assert first.status_code == 500  # the request could not finish...
    connection.close()  # (what Django does at the end of every request)
    # ...and left nothing behind: no case, no timeline, no SMS.
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists() and not Message.objects.exists()

    # The resident taps again, with the same key: one case, one SMS.
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    assert again.status_code == 201, again.content
    third = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    assert third.json()["reference"] == again.json()["reference"]
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert Message.objects.filter(dedup_key=f"services:case:{case.pk}:filed").count() == 1
