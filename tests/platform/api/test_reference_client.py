"""The reference client (clients/python/anju_client.py) against the live test server,
over real HTTP: a resident signs in by phone and code, reads notices and pages, files a
request (a retry makes no second one), follows it and signs the device out."""

import importlib.util
from pathlib import Path

import pytest

from anju.notify.models import Message
from anju.residents.notifications import SIGN_IN_CODE
from tests.platform.services.conftest import answers_for

CLIENT = Path(__file__).resolve().parents[3] / "clients" / "python" / "anju_client.py"


def load_client():
    spec = importlib.util.spec_from_file_location("anju_client", CLIENT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def live_world(transactional_db, live_server, world, built_service):
    return world, built_service, live_server.url


def sms_code(phone):
    message = Message.objects.filter(template=SIGN_IN_CODE).latest("pk")  # phone is encrypted
    assert message.phone == phone
    return message.payload["code"]


def test_a_resident_journey_through_the_reference_client(live_world):
    world, service, url = live_world
    anju = load_client()
    client = anju.AnjuClient(url)
    phone = world.resident1.phone

    assert client.request_code(phone)
    with pytest.raises(anju.AnjuError) as wrong:
        client.sign_in(phone, "000000" if sms_code(phone) != "000000" else "111111")
    assert wrong.value.status == 400
    signed_in = client.sign_in(phone, sms_code(phone))
    assert signed_in["token"].startswith("anju_") and client.token == signed_in["token"]
    assert client.me()["kind"] == "personal"

    assert isinstance(client.notices(), list)
    assert isinstance(client.pages(), list)
    assert "repair" in [form["slug"] for form in client.forms()]

    answers = answers_for(service)
    case = client.file_request(
        "repair", answers, name="王小明", phone=phone, idempotency_key="device-1-req-1"
    )
    again = client.file_request(
        "repair", answers, name="王小明", phone=phone, idempotency_key="device-1-req-1"
    )
    assert case["reference"] == again["reference"]
    assert [c["reference"] for c in client.my_cases()] == [case["reference"]]
    tracked = client.track(case["reference"], phone[-4:])
    assert tracked["reference"] == case["reference"]

    token = client.token
    client.sign_out()
    stale = anju.AnjuClient(url, token=token)
    with pytest.raises(anju.AnjuError) as refused:
        stale.me()
    assert refused.value.status == 401 and "revoked" in refused.value.challenge
