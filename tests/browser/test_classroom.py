"""The classroom's portal pages on a phone (375 px): the timetable and how to enrol, the
enrolment form, and a guardian's attendance look-up — readable without sideways
scrolling, with no console error."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import watch_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone_page(chromium):
    return watch_errors(chromium.new_page(viewport=PHONE, is_mobile=True, has_touch=True))


@pytest.fixture
def enrolled(world, settings):
    from plugins.classroom import care
    from plugins.classroom.models import ClassGroup, Guardian, Kind, Term
    from tests import factories as f

    settings.PORTAL_CACHE_SECONDS = 300  # the forms are cached pages
    today = timezone.localdate()
    term = Term.objects.create(
        community=world.community,
        name="寒假班",
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=30),
    )
    klass = ClassGroup.objects.create(
        term=term,
        kind=Kind.HOMEWORK,
        title="作业辅导班",
        weekdays="1,2,3,4,5,6,7",
        starts_at=datetime.time(16, 0),
        ends_at=datetime.time(18, 0),
        room="党群服务中心二楼",
        capacity=10,
    )
    child = f.ResidentFactory(
        household=world.household1,
        name="王小宝",
        birth_date=today.replace(year=today.year - 8),
        relation="grandchild",
        phone=None,
    )
    Guardian.objects.create(child=child, name="张桂兰", relation="grandmother", phone="13900001111")
    enrolment = care.enrol(klass, child, consent_by="张桂兰", reference="20260042")
    care.check_in(enrolment)
    return enrolment


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_classroom_pages_at_phone_width(live_server, phone_page, enrolled):
    page = phone_page
    response = page.goto(live_server.url + "/services/classroom/")
    assert response.status == 200
    assert "作业辅导班" in page.content() and "如何报名" in page.content()
    assert fits(page)
    page.click("text=为孩子报名")
    page.wait_for_url("**/forms/enrol/")
    assert page.locator("input[name=child_name]").is_visible()
    # The cached form fetches its CSRF token (and sets the cookie) after the page has
    # loaded: leaving before it answers races the attendance form's own cookie.
    page.wait_for_selector("form[data-token-ready]", state="attached")
    assert fits(page)
    page.goto(live_server.url + "/services/classroom/attendance/")
    assert fits(page)
    page.wait_for_selector("form[data-token-ready]", state="attached")
    page.fill("input[name=reference]", "2026 0042")
    page.fill("input[name=phone_last4]", "1111")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-history]")
    assert "王小宝" in page.content()
    assert fits(page)
    page.goto(live_server.url + "/services/classroom/attendance/")
    page.wait_for_selector("form[data-token-ready]", state="attached")
    page.fill("input[name=reference]", "2026 0042")
    page.fill("input[name=phone_last4]", "9999")
    page.click("button[type=submit]")
    page.wait_for_selector("[role=alert]")
    assert "王小宝" not in page.content() and "没有与该受理编号和手机号相符的记录" in page.content()
    assert [e for e in page.errors if "404" not in e] == []
