"""Every portal page at a phone's width (375 px), in the standard view and in 长辈模式
(elder mode, issue 17): no horizontal scroll, and the links that are the only way to a
page (job titles on the board, a list's entries, the skip link) are tap targets at
least 44 px tall (issue 21).

Pages: home, notices list, a notice, notice search, a staff-built service form with a
file input (/repair/) and what it answers after filing, following a request
(/cases/track/, form and result), a resident's own requests (/cases/mine/: the sign-in
it asks for, the list and one request), a standard page, and each plugin's portal pages
(the job board, a posting, the employment service's pages, "I'm interested", a subsidy
form, the disputes page and its report form, the gas-safety page and its connection and
hazard forms), and the resident's own pages (sign-in, me, my household, my messages and
one message). The Atom feed is XML and is skipped.
"""

import pytest
from django.test import Client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH = 375
MIN_TAP = 44

#: Links counted as "the only way to a page": every link outside running text. A link
#: inside a sentence (a paragraph with other words) or inside rich text written by
#: editors is prose, and is left to the writer.
SMALL_TARGETS_JS = """
(min) => [...document.querySelectorAll('a[href]')].filter(a => {
  if (a.classList.contains('skip-link')) return false;        // measured when focused
  if (a.closest('.rich-text, .site-footer')) return false;
  const p = a.closest('p, li, dd, td');
  if (p && p.tagName === 'P' && p.textContent.trim() !== a.textContent.trim()) return false;
  const r = a.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) return false;           // not shown
  return r.height < min;
}).map(a => `${a.textContent.trim().slice(0, 30)} `
        + `(${Math.round(a.getBoundingClientRect().height)}px)`)
"""


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(
        viewport={"width": WIDTH, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    yield context
    context.close()


@pytest.fixture
def site(world, settings, tmp_path):
    """The portal with something on every page."""
    from anju.notices.models import NoticeIndexPage
    from anju.portal.models import StandardPage
    from anju.portal.site import ensure_home_page
    from anju.services.models import Service, ServiceField, ServiceFormPage
    from plugins.employment.models import JobIndexPage
    from plugins.employment.subsidies import ensure_subsidy_schemes
    from tests.platform.notices.conftest import make_notice
    from tests.platform.services.conftest import file_case
    from tests.plugins.employment.conftest import make_posting

    settings.PORTAL_CACHE_SECONDS = 0
    settings.MEDIA_ROOT = str(tmp_path / "media")
    home = ensure_home_page()
    notices = home.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))
    notice = make_notice(
        notices,
        "关于二〇二六年度城乡居民医疗保险集中缴费的通知（请各户务必于月底前完成）",
        body="<p>请各位居民于本月底前到便民服务站缴费，详情见附件。</p>",
        pinned=True,
    )
    make_notice(notices, "停水通知")
    home.add_child(
        instance=StandardPage(title="便民服务站", slug="service-station", intro="办事指南")
    )
    service = Service.objects.create(title="报修", slug="repair", community=world.community)
    for order, (label, kind, required, choices) in enumerate(
        [
            ("什么坏了", "text", True, ""),
            ("详细情况", "long_text", False, ""),
            ("紧急程度", "choice", True, "一般\n紧急"),
            ("照片", "file", False, ""),
        ]
    ):
        ServiceField.objects.create(
            service=service,
            sort_order=order,
            label=label,
            field_type=kind,
            required=required,
            choices=choices,
        )
    service.snapshot()
    home.add_child(instance=ServiceFormPage(title="我要报修", slug="repair", service=service))
    case = file_case(service, household=world.household1, user=world.users["resident"])
    board = home.add_child(instance=JobIndexPage(title="招聘信息", slug="jobs"))
    posting = make_posting(board, title="缝纫工（社区扶贫车间，长期招聘，包午餐）")
    schemes = ensure_subsidy_schemes(world.community)
    from django.utils import timezone

    from plugins.safety.models import SafetyTalk

    SafetyTalk.objects.create(
        community=world.community,
        title="天然气安全使用讲座（县燃气公司技术员现场讲解并演示报警器）",
        partner=world.gas_company,
        starts_at=timezone.now() + timezone.timedelta(days=3),
        place="社区活动中心二楼多功能厅",
    )
    return {
        "notice": notice,
        "case": case,
        "posting": posting,
        "subsidy": next(iter(schemes)),
    }


def problems_of(page, path=None) -> list[str]:
    """What is wrong with the page at ``path`` (or the one showing) on a phone."""
    label = path or page.url
    if path is not None:
        response = page.goto(page.base_url + path)
        if response is None or response.status >= 400:
            return [f"{label}: answered {response and response.status}"]
    page.wait_for_load_state("load")
    problems = []
    elder = "elder-mode" in (page.locator("body").get_attribute("class") or "")
    if "/admin/login/" not in page.url and elder != page.elder:
        problems.append(f"{label}: elder mode {'on' if elder else 'off'}")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > WIDTH:
        problems.append(f"{label}: {scroll} px wide at {WIDTH} px")
    # Wagtail's own sign-in page (until the portal has its own) is not the theme's:
    # it must fit, its links are Wagtail's.
    small = [] if "/admin/login/" in page.url else page.evaluate(SMALL_TARGETS_JS, MIN_TAP)
    if small:
        problems.append(f"{label}: links under {MIN_TAP} px: {small}")
    # The skip link, once focused by the keyboard, is a big target too.
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const a = document.activeElement; const r = a.getBoundingClientRect();"
        " return [a.className, r.height, r.right]; })()"
    )
    too_small = focused[1] < MIN_TAP or focused[2] > WIDTH
    if "/admin/login/" not in page.url and focused[0] == "skip-link" and too_small:
        problems.append(f"{label}: skip link {focused[1]} px tall, right edge {focused[2]}")
    return problems


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder-mode"])
def test_every_portal_page_fits_a_phone(live_server, phone, world, site, elder):
    from django.urls import reverse

    from anju.residents import eldermode
    from anju.services.submission import format_reference

    if elder:  # what one tap on 长辈模式 leaves (tests/browser/test_resident.py taps it)
        phone.add_cookies([{"name": eldermode.COOKIE, "value": "1", "url": live_server.url}])
    page = phone.new_page()
    page.base_url = live_server.url
    page.elder = elder
    posting = site["posting"]
    paths = [
        "/",
        "/en/",
        "/notices/",
        site["notice"].url,
        "/notices/?q=停水",
        "/service-station/",
        "/repair/",
        "/cases/track/",
        "/jobs/",
        posting.url,
        reverse("employment:index"),
        reverse("employment:courses"),
        reverse("employment:interest", kwargs={"pk": posting.pk}),
        reverse("employment:subsidy", kwargs={"kind": site["subsidy"]}),
        reverse("disputes:index"),
        "/services/disputes/forms/report/",
        reverse("safety:index"),
        "/services/safety/forms/connect/",
        "/services/safety/forms/report/",
    ]
    problems = []
    for path in paths:
        problems += problems_of(page, path)

    # Filing on /repair/ (with its file input) and the page it answers with.
    page.goto(live_server.url + "/repair/")
    page.fill("input[type=text]", "厨房水管")
    page.select_option("select", "紧急")
    page.fill("input[name='requester-requester_name']", "王小明")
    page.fill("input[name='requester-requester_phone']", "13812345678")
    page.click("form button[type=submit]")
    page.wait_for_load_state("load")
    assert "受理编号" in page.content() or "reference" in page.content().lower()
    problems += problems_of(page)

    # Following a request: the result page.
    page.goto(live_server.url + "/cases/track/")
    page.fill("input[name=reference]", format_reference(site["case"].reference))
    page.fill("input[name=phone_last4]", "5678")
    page.click("form button[type=submit]")
    page.wait_for_load_state("load")
    assert site["case"].reference[:4] in page.content()
    problems += problems_of(page)

    # /cases/mine/ asks an anonymous visitor to sign in: that page fits too.
    problems += problems_of(page, "/cases/mine/")

    # Signed in, the resident's list and one request.
    client = Client()
    client.force_login(world.users["resident"])
    phone.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    problems += problems_of(page, "/cases/mine/")
    problems += problems_of(page, f"/cases/mine/{site['case'].reference}/")

    # A resident linked to the register: me, my household, my messages.
    problems += resident_pages(page, phone, world, live_server)
    assert problems == [], "\n".join(problems)


def resident_pages(page, phone, world, live_server) -> list[str]:
    from anju import notify
    from anju.residents import linking, signin

    user = signin.account_for_phone(world.resident1.phone)
    linking.link_on_sign_in(user, world.resident1.phone)
    message, _created = notify.enqueue(
        channel="in_app",
        user=user,
        template="notify.plain",
        payload={"subject": "停水通知：明天上午八点至十二点停水，请提前储水", "body": "详见公告。"},
        dedup_key="phone-width:message",
    )
    notify.deliver(message.pk)
    problems = []
    phone.clear_cookies(name="sessionid")
    problems += problems_of(page, "/sign-in/")
    client = Client()
    client.force_login(user)
    phone.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    for path in ("/me/", "/me/household/", "/me/messages/", f"/me/messages/{message.pk}/"):
        problems += problems_of(page, path)
    return problems


def test_gas_safety_emergency_numbers_come_first_and_are_big(live_server, phone, world, site):
    """On a phone, the first thing the gas-safety page shows is the emergency numbers:
    tel: links at least 56 px tall, the first of them above the fold."""
    from django.urls import reverse

    page = phone.new_page()
    page.goto(live_server.url + reverse("safety:index"))
    page.wait_for_load_state("load")
    boxes = page.evaluate(
        "[...document.querySelectorAll('a[href^=\"tel:\"]')]"
        ".map(a => { const r = a.getBoundingClientRect(); return [a.getAttribute('href'),"
        " r.top, r.height, r.right]; })"
    )
    assert [b[0] for b in boxes][:2] == ["tel:96777", "tel:119"]
    assert all(height >= 56 and right <= WIDTH for _href, _top, height, right in boxes), boxes
    assert boxes[0][1] < 740
    apply_top = page.evaluate("document.querySelector('[data-apply]').getBoundingClientRect().top")
    assert boxes[-1][1] < apply_top
