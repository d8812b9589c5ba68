"""A resident on a 375 px phone: signs in with the SMS code (read from the outbox, as
the SMS log shows it in development), opens their request and confirms it is settled —
in the standard view and in 长辈模式."""

import pytest

from anju.notify.models import Message
from anju.portal.site import ensure_home_page
from anju.residents.notifications import SIGN_IN_CODE
from anju.services import workflow
from anju.services.fieldtypes import build_form_class
from anju.services.models import Service, ServiceField, Status
from anju.services.submission import Requester, submit

from .test_smoke import browser_page  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE_WIDTH = 375


def resolved_case(world):
    service = Service.objects.create(title="报修", slug="repair", community=world.community)
    ServiceField.objects.create(service=service, label="什么坏了", field_type="text", sort_order=0)
    service.snapshot()
    service.refresh_from_db()
    form = build_form_class(service.current_version.fields, None)(
        {service.current_version.fields[0]["name"]: "楼道灯坏了"}
    )
    assert form.is_valid(), form.errors
    case, _created = submit(
        service,
        form,
        requester=Requester(name="王小明", phone=world.resident1.phone),
        household=world.household1,
    )
    worker = world.users["grid_worker"]
    workflow.transition(case, Status.ACCEPTED, worker)
    workflow.transition(case, Status.RESOLVED, worker)
    return case


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder-mode"])
def test_resident_signs_in_and_confirms_a_case_at_375px(
    live_server,
    browser_page,  # noqa: F811  (the fixture imported above)
    world,
    elder,
):
    ensure_home_page()
    case = resolved_case(world)
    page = browser_page
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    page.goto(live_server.url + "/")
    if elder:
        page.click("a.elder-switch")
        page.wait_for_load_state()
        assert "elder-mode" in page.locator("body").get_attribute("class")
    assert no_horizontal_scroll(page)

    # /cases/mine/ sends them to the portal's sign-in, not the admin's.
    page.goto(live_server.url + "/cases/mine/")
    assert "/sign-in/" in page.url and "/admin/" not in page.url
    page.fill("input[name=phone]", world.resident1.phone)
    page.click("text=获取验证码")
    page.wait_for_selector("input[name=code]")
    code = Message.objects.filter(template=SIGN_IN_CODE).latest("pk").payload["code"]
    page.fill("input[name=code]", code)
    page.click("button:has-text('登录')")
    page.wait_for_url("**/cases/mine/")
    assert no_horizontal_scroll(page)

    page.click(f"a[href$='/cases/mine/{case.reference}/']")
    page.wait_for_selector("text=您的诉求办好了吗")
    if elder:
        assert "elder-mode" in page.locator("body").get_attribute("class")
    page.check("input[name=settled][value=yes]")
    page.check("input[name=satisfaction][value='5']")
    box = page.locator("button:has-text('提交答复')").bounding_box()
    assert box["height"] >= 48
    page.click("button:has-text('提交答复')")
    page.wait_for_selector("text=谢谢，您的答复已记录")
    assert no_horizontal_scroll(page)
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.satisfaction == 5
    assert page.errors == []
