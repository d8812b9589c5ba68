"""The attendance look-up form is a cached page for anonymous visitors (its CSRF token
comes from form_token.js); the child's attendance it shows after a post is private."""

import pytest
from django.urls import reverse

from plugins.classroom import care
from tests.cached_forms import (
    assert_cached_for_anonymous_visitors,
    assert_private_when_signed_in,
    assert_refused_without_token,
    post_with_fetched_token,
)

pytestmark = pytest.mark.django_db

LOOK_UP = {"reference": "20260042", "phone_last4": "1111"}


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PORTAL_CACHE_SECONDS = 300


@pytest.fixture
def enrolled(room):
    return care.enrol(room.klass, room.child1, consent_by="张桂兰", reference="20260042")


def test_the_look_up_form_is_cached_for_anonymous_visitors(room, client):
    html = assert_cached_for_anonymous_visitors(client, reverse("classroom:attendance"))
    assert "王小宝" not in html


def test_a_signed_in_visitors_page_is_private(room, world, client):
    assert_private_when_signed_in(client, reverse("classroom:attendance"), world.users["resident"])


def test_the_look_up_posts_with_the_fetched_token_and_its_answer_is_private(room, enrolled):
    response = post_with_fetched_token(reverse("classroom:attendance"), LOOK_UP)
    assert response.status_code == 200, response.content.decode()[:500]
    assert "王小宝" in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert "X-Anju-Cache" not in response


def test_the_look_up_without_the_token_is_refused_kindly(room, enrolled):
    assert_refused_without_token(reverse("classroom:attendance"), LOOK_UP)


def test_a_guardians_own_page_is_private(room, world, client):
    client.force_login(world.users["resident"])
    response = client.get(reverse("classroom:mine"))
    assert response.status_code == 200 and "private" in response["Cache-Control"]
