""" "I'm interested" is a cached page for anonymous visitors (the CSRF token and the
one-time key come from form_token.js, as for every service form); signed in, the page is
private and never served to anyone else."""

import pytest
from django.urls import reverse

from anju.services.models import Case
from plugins.employment.models import Interest
from tests.cached_forms import (
    assert_cached_for_anonymous_visitors,
    assert_private_when_signed_in,
    assert_refused_without_token,
    post_with_fetched_token,
)

from .conftest import make_posting
from .test_interest import interest_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings, world):
    settings.PORTAL_CACHE_SECONDS = 300
    # The form's Service row is made on first use, and saving it changes the generation:
    # made beforehand, as on a site that has been up for a while.
    from anju.services import service_for_code_form
    from plugins.employment.services import INTEREST_FORM

    service_for_code_form("employment", INTEREST_FORM)


def test_the_interest_form_is_cached_for_anonymous_visitors(world, board, client):
    posting = make_posting(board)
    url = reverse("employment:interest", kwargs={"pk": posting.pk})
    html = assert_cached_for_anonymous_visitors(client, url)
    assert posting.title in html
    assert 'name="requester-idempotency_key"' in html and 'value=""' in html


def test_a_signed_in_residents_page_is_private(world, board, client):
    posting = make_posting(board)
    url = reverse("employment:interest", kwargs={"pk": posting.pk})
    user = world.users["resident"]
    user.first_name, user.last_name = "芳", "王"
    user.save()
    assert_private_when_signed_in(client, url, user, mark='value="芳 王"')


def test_interest_posts_with_the_fetched_token(world, board):
    posting = make_posting(board)
    url = reverse("employment:interest", kwargs={"pk": posting.pk})
    response = post_with_fetched_token(url, interest_data(posting))
    assert response.status_code == 200, response.content.decode()[:500]
    assert Interest.objects.get().posting == posting and Case.objects.count() == 1


def test_interest_without_the_token_is_refused_kindly(world, board):
    posting = make_posting(board)
    url = reverse("employment:interest", kwargs={"pk": posting.pk})
    assert_refused_without_token(url, interest_data(posting))
    assert not Case.objects.exists()
