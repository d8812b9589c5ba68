"""The elderly canteen's portal pages on a phone (375 px): the menu, booking lunch
without an account, and the activity centre, with no console error and nothing wider
than the screen."""

import datetime

import pytest
from django.utils import timezone

from anju.community import SpecialGroup
from anju.portal.site import ensure_home_page
from tests import factories as f

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width


def test_book_lunch_on_a_phone(live_server, phone_page, world, settings):
    from plugins.elderly.models import Activity, Meal, SignUp

    settings.PORTAL_CACHE_SECONDS = 300  # the forms are cached pages
    ensure_home_page()
    activity = Activity.objects.create(
        community=world.community,
        title="太极拳",
        starts_at=timezone.now() + datetime.timedelta(days=2),
        ends_at=timezone.now() + datetime.timedelta(days=2, hours=1),
    )
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
    _identify(page, world)
    page.fill("input[name=date]", tomorrow.isoformat())
    page.select_option("select[name=option]", "soft")
    _fits(page)
    page.click("button[type=submit]")
    assert "已订餐" in page.locator("[data-done]").inner_text()
    assert Meal.objects.get().resident_id == elder.pk
    # Cancelling: the page served from the cache, the token fetched by form_token.js.
    page.goto(live_server.url + "/services/elderly/cancel/")
    _identify(page, world)
    page.fill("input[name=date]", tomorrow.isoformat())
    page.click("button[type=submit]")
    assert "已取消" in page.locator("[data-done]").inner_text()
    assert Meal.objects.get().status == Meal.Status.CANCELLED
    # Signing up for an activity.
    page.goto(live_server.url + "/services/elderly/activities/")
    _fits(page)
    _identify(page, world)
    page.select_option("select[name=activity]", str(activity.pk))
    page.click("button[type=submit]")
    page.wait_for_selector("[data-done]")
    assert SignUp.objects.get().resident_id == elder.pk
    assert page.errors == []


def _identify(page, world):
    """Fill in who the elder is, once the cached form has its CSRF token."""
    page.wait_for_selector("form[data-token-ready]", state="attached")
    page.fill("input[name=name]", "李福")
    page.select_option("select[name=building]", str(world.building1.pk))
    page.fill("input[name=room]", "101")
    page.fill("input[name=phone_last4]", "1111")
