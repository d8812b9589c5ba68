"""Residents on the portal: signing in by phone the way a resident does (the forms)."""

import pytest

from anju.notify.models import Message
from anju.residents.notifications import SIGN_IN_CODE
from tests.platform.services.conftest import answers_for, built_service, file_case  # noqa: F401


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PORTAL_CACHE_SECONDS = 0


def last_code(phone: str) -> str:
    """The code the resident reads in the SMS (the outbox message for that phone)."""
    message = Message.objects.filter(template=SIGN_IN_CODE).order_by("-pk").first()
    assert message is not None and message.phone == phone
    return message.payload["code"]


def ask_code(client, phone):
    return client.post("/sign-in/", {"action": "send", "phone": phone})


def enter_code(client, phone, code, next_url=""):
    return client.post(
        "/sign-in/", {"action": "verify", "phone": phone, "code": code, "next": next_url}
    )


def sign_in(client, phone):
    """Sign in through the portal's forms; returns the response of the last step."""
    assert ask_code(client, phone).status_code == 200
    response = enter_code(client, phone, last_code(phone))
    assert response.status_code == 302, response.content.decode()[:2000]
    return response
