""" "I'm interested" on a phone: the page comes from the page cache, form_token.js fetches
its CSRF token and one-time key, and the post files one case."""

import pytest

from tests.plugins.employment.conftest import make_posting

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_interest_is_sent_from_the_cached_page(live_server, phone_page, world, settings):
    from anju.portal.site import ensure_home_page
    from anju.services.models import Case
    from plugins.employment.models import Interest, JobIndexPage

    settings.PORTAL_CACHE_SECONDS = 300
    board = ensure_home_page().add_child(instance=JobIndexPage(title="招聘信息", slug="jobs"))
    posting = make_posting(board)
    url = f"{live_server.url}/services/employment/jobs/{posting.pk}/interest/"
    page = phone_page
    page.goto(url)
    page.goto(url)  # the second time from the page cache
    page.wait_for_selector("form[data-token-ready]", state="attached")
    page.fill("textarea[name=message]", "下周一可以上岗")
    page.fill("input[name=requester-requester_name]", "王芳")
    page.fill("input[name=requester-requester_phone]", "13912345678")
    page.click("button[type=submit]")
    page.wait_for_selector(".reference")
    interest = Interest.objects.get()
    assert interest.posting_id == posting.pk
    assert Case.objects.get().data["message"] == "下周一可以上岗"
    assert page.errors == []
