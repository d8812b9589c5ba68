"""Booking, cancelling and signing up on the portal are cached pages for anonymous
visitors (the CSRF token comes from form_token.js, as for the core's service forms); an
account linked to the register gets its own page, private, never served to anyone else."""

import pytest
from django.urls import reverse

from anju.community.models import ResidentLink
from plugins.elderly.models import Meal
from tests import factories as f
from tests.cached_forms import (
    assert_cached_for_anonymous_visitors,
    assert_private_when_signed_in,
    assert_refused_without_token,
    post_with_fetched_token,
)

from .test_canteen import _identity

pytestmark = pytest.mark.django_db

PAGES = ("elderly:book", "elderly:cancel", "elderly:activities")


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PORTAL_CACHE_SECONDS = 300


@pytest.mark.parametrize("name", PAGES)
def test_the_form_pages_are_cached_for_anonymous_visitors(world, client, name):
    assert_cached_for_anonymous_visitors(client, reverse(name))


@pytest.mark.parametrize("name", PAGES)
def test_a_linked_accounts_page_is_private(world, elders, client, name):
    user = f.UserFactory(username="family", is_staff=False)
    ResidentLink.objects.create(
        user=user, resident=elders.zhang, kind="self", state=ResidentLink.State.CONFIRMED
    )
    assert_private_when_signed_in(client, reverse(name), user, mark="data-signed-in")


def test_booking_posts_with_the_fetched_token(world, elders, tomorrow):
    data = _identity(elders.zhang) | {"date": tomorrow.isoformat(), "option": "soft"}
    response = post_with_fetched_token(reverse("elderly:book"), data)
    assert response.status_code == 200, response.content.decode()[:500]
    assert "data-done" in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert Meal.objects.get().resident == elders.zhang


def test_booking_without_the_token_is_refused_kindly(world, elders, tomorrow):
    data = _identity(elders.zhang) | {"date": tomorrow.isoformat(), "option": "soft"}
    assert_refused_without_token(reverse("elderly:book"), data)
    assert not Meal.objects.exists()
