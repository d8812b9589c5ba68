"""The elderly canteen's portal pages on a phone (375 px): the menu, booking lunch
without an account, and the activity centre, with no console error and nothing wider
than the screen."""

import datetime

import pytest
from django.db import connections
from django.utils import timezone

from anju.community import SpecialGroup
from anju.portal.site import ensure_home_page
from tests import factories as f

from .test_smoke import CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def phone_page(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 375, "height": 740}, locale="zh-CN")
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.errors = errors
        yield page
        browser.close()
        connections.close_all()


def _fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width


def test_book_lunch_on_a_phone(live_server, phone_page, world):
    from plugins.elderly.models import Meal

    ensure_home_page()
    SpecialGroup.objects.get_or_create(code=SpecialGroup.LIVING_ALONE, defaults={"name": "独居"})
    today = timezone.localdate()
    elder = f.ResidentFactory(
        household=world.household1,
        name="李福",
        birth_date=today.replace(year=today.year - 80, day=1),
        phone="13700001111",
        relation="parent",
    )
    page = phone_page
    page.goto(live_server.url + "/services/elderly/")
    assert page.locator("h1").first.inner_text() == "老年餐厅与活动中心"
    _fits(page)
    page.click("text=预订午餐")
    tomorrow = today + datetime.timedelta(days=1)
    while tomorrow.weekday() >= 5:  # the canteen serves Monday to Friday
        tomorrow += datetime.timedelta(days=1)
    page.fill("input[name=name]", "李福")
    page.select_option("select[name=building]", str(world.building1.pk))
    page.fill("input[name=room]", "101")
    page.fill("input[name=phone_last4]", "1111")
    page.fill("input[name=date]", tomorrow.isoformat())
    page.select_option("select[name=option]", "soft")
    _fits(page)
    page.click("button[type=submit]")
    assert "已订餐" in page.locator("[data-done]").inner_text()
    assert Meal.objects.get().resident_id == elder.pk
    page.goto(live_server.url + "/services/elderly/activities/")
    _fits(page)
    assert page.errors == []
