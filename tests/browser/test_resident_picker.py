"""The resident picker in a real browser: service staff enrol a resident on a course by
typing the name and room (the page never lists the register), and a half-typed name
gives a hint instead of a list."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from .conftest import watch_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_page(chromium):
    return watch_errors(chromium.new_context(locale="zh-CN").new_page(), console=False)


def test_service_staff_find_a_resident_by_name_and_room(live_server, browser_page, world):
    from plugins.employment.models import Course, Enrolment

    today = timezone.localdate()
    course = Course.objects.create(
        title="家政服务员培训班",
        place="社区服务中心",
        schedule="每周二",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
        capacity=5,
    )
    client = Client()
    client.force_login(world.users["service_staff"])
    page = browser_page
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + reverse("employment_admin:course", kwargs={"pk": course.pk}))
    assert "李大红" not in page.content() and "王小明" not in page.content()
    box = page.locator(".anju-picker__query")
    box.fill("李大红")
    message = page.locator(".anju-picker__message")
    message.filter(has_text="房间号").wait_for()
    assert page.locator("select[name=resident] option").count() == 1  # only "---------"
    box.fill("李大红 201")
    page.locator("select[name=resident] option", has_text="李大红").wait_for(state="attached")
    page.locator("select[name=resident]").select_option(str(world.resident2.pk))
    page.click("form button[type=submit]:has-text('报名')")
    page.wait_for_load_state("load")
    assert Enrolment.objects.filter(course=course, resident=world.resident2).exists()
    assert page.errors == []
