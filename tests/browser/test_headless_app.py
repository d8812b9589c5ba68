"""The headless promise, kept by a test: the reference web app at /app/ (static page,
public API only, a token instead of the session) signs a resident in by phone and SMS
code, lists notices from Wagtail's page API, files a request and follows it."""

import pytest

from anju.api.models import ApiToken
from anju.notices.models import NoticeIndexPage
from anju.notify.models import Message
from anju.portal.site import ensure_home_page
from anju.residents.notifications import SIGN_IN_CODE
from anju.services.models import Case
from tests.platform.notices.conftest import make_notice
from tests.platform.services.conftest import built_service  # noqa: F401  (the fixture)

from .test_smoke import browser_page  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_resident_uses_the_reference_app(
    live_server,
    browser_page,  # noqa: F811
    world,
    built_service,  # noqa: F811
):
    home = ensure_home_page()
    index = home.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))
    make_notice(index, title="停水通知")
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/app/")
    page.locator(".page-list li", has_text="停水通知").wait_for()

    phone = world.resident1.phone
    page.fill("#phone", phone)
    page.click("#send-code")
    page.locator("#signin-message", has_text="验证码").wait_for()
    message = Message.objects.filter(template=SIGN_IN_CODE).latest("pk")
    assert message.phone == phone
    page.fill("#code", message.payload["code"])
    page.click("#sign-in")
    page.locator("#me").wait_for()
    assert page.evaluate("localStorage.getItem('anju_token')").startswith("anju_")

    page.locator("#form-choice option", has_text="报修").wait_for(state="attached")
    page.select_option("#form-choice", "repair")
    fields = {f["label"]: f["name"] for f in built_service.current_version.fields}
    page.fill(f"#request-form [name={fields['什么坏了']}]", "楼道灯坏了")
    page.select_option(f"#request-form [name={fields['紧急程度']}]", "紧急")
    page.fill("#request-form [name=requester_name]", "王小明")
    page.click("#request-form button[type=submit]")
    page.locator("#request-message", has_text="受理编号").wait_for()

    case = Case.objects.get()
    assert case.service == built_service and case.requester_user is not None
    page.locator(f"#case-list li[data-reference='{case.reference}']").wait_for()
    assert (
        "已提交" in page.locator(f"#case-list li[data-reference='{case.reference}']").inner_text()
    )

    # Signing out revokes the token on the server, not only in the browser.
    page.click("#sign-out")
    page.locator("#signin").wait_for()
    token = ApiToken.objects.get(user=case.requester_user)
    assert token.revoked_at is not None
    assert page.evaluate("localStorage.getItem('anju_token')") is None
    assert page.errors == []
