"""Headless Debian Chromium loads the portal and the admin login with no console error."""

import pytest

from anju.portal.site import ensure_home_page

from .conftest import watch_errors

# serialized_rollback: the live server needs committed rows, and the rows the migrations
# made (the home page, the site) must come back for the tests after this one.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_page(chromium):
    return watch_errors(chromium.new_page(locale="en-US"))  # an English browser still gets Chinese


def test_home_page_in_chinese(live_server, browser_page):
    ensure_home_page()
    response = browser_page.goto(live_server.url + "/")
    assert response.status == 200
    assert browser_page.locator("html").get_attribute("lang") == "zh-hans"
    assert browser_page.locator("#pinned-notices h2").inner_text() == "置顶通知"
    # The switch is a big touch target (at least 44 px tall).
    box = browser_page.locator(".lang-switch a").first.bounding_box()
    assert box["height"] >= 44
    browser_page.click(".lang-switch a")
    browser_page.wait_for_url(live_server.url + "/en/")
    assert browser_page.locator("#pinned-notices h2").inner_text() == "Pinned notices"
    assert browser_page.errors == []


def test_admin_login_in_chinese(live_server, browser_page):
    response = browser_page.goto(live_server.url + "/admin/login/")
    assert response.status == 200
    assert "登录" in browser_page.content()
    assert browser_page.errors == []
