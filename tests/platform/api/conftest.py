"""API clients as a non-browser client uses them: a bearer token, no cookie."""

import datetime

import pytest
from rest_framework.test import APIClient

from anju.api.models import TokenKind
from anju.api.tokens import issue
from tests.platform.residents.conftest import last_code  # noqa: F401
from tests.platform.services.conftest import answers_for, built_service, file_case  # noqa: F401


def bearer(text: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    return client


def token_for(user, *, kind=TokenKind.PERSONAL, scopes=(), days=30, name="test"):
    return issue(user, name=name, kind=kind, scopes=scopes, expires=datetime.timedelta(days=days))


@pytest.fixture
def tokens(world):
    """{role: token text} of a personal token per role of the world."""
    return {role: token_for(user)[1] for role, user in world.users.items()}
