"""The broker down when a resident files a request: the case is saved, the resident
sees the reference, the SMS waits in the outbox — and goes out once the sweep runs
with the broker back. Nothing lost, nothing doubled."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from anju.notify.models import Message, SmsLog, Status
from anju.notify.tasks import deliver_pending
from anju.services.models import Case, ServiceFormPage
from anju.services.submission import format_reference
from tests.platform.services.conftest import answers_for, built_service  # noqa: F401

from .conftest import broker_unreachable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def form_page(world, built_service):  # noqa: F811
    from anju.portal.site import ensure_home_page

    return ensure_home_page().add_child(
        instance=ServiceFormPage(title="我要报修", slug="repair", service=built_service)
    )


def portal_post(service, key):
    names = {spec["label"]: spec["name"] for spec in service.current_version.fields}
    return {
        names["什么坏了"]: "厨房水管",
        names["紧急程度"]: "紧急",
        "requester-requester_name": "王小明",
        "requester-requester_phone": "13812345678",
        "requester-idempotency_key": key,
    }


def sweep_with_the_broker_back(settings):
    """Beat's sweep once the broker answers again (tasks in-process here)."""
    settings.NOTIFY_REDELIVER_AFTER = 0
    return deliver_pending.apply().get()


def test_a_portal_request_filed_while_the_broker_is_down(
    form_page, broker_down, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/repair/", portal_post(form_page.service, "k-1"))
    assert response.status_code == 200
    case = Case.objects.get()
    assert format_reference(case.reference) in response.content.decode()
    message = Message.objects.get(dedup_key=f"services:case:{case.pk}:filed")
    assert message.status == Status.PENDING and not SmsLog.objects.exists()


def test_an_api_request_filed_while_the_broker_is_down_is_sent_later(
    built_service,  # noqa: F811
    broker_down,
    django_capture_on_commit_callbacks,
    settings,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(
            f"/api/services/forms/{built_service.slug}/submit/",
            {
                **answers_for(built_service),
                "requester_name": "王",
                "requester_phone": "13812340000",
            },
            format="json",
        )
    assert response.status_code == 201
    case = Case.objects.get(reference=response.json()["reference"])
    assert Message.objects.get(dedup_key=f"services:case:{case.pk}:filed").status == Status.PENDING


def test_the_sweep_sends_what_waited_exactly_once(
    form_page, django_capture_on_commit_callbacks, settings
):
    with broker_unreachable(settings), django_capture_on_commit_callbacks(execute=True):
        Client().post("/repair/", portal_post(form_page.service, "k-2"))
    assert Message.objects.get().status == Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_with_the_broker_back(settings) == 1
    with django_capture_on_commit_callbacks(execute=True):
        sweep_with_the_broker_back(settings)  # again: nothing more
    assert Message.objects.get().status == Status.SENT
    assert SmsLog.objects.count() == 1
