"""Notices on the portal: the list (categories, pages, order), one notice, the feed and
the home page, for anonymous visitors and signed-in ones alike."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anju.notices import categories
from anju.notices.views import HOME_LATEST, HOME_PINNED, PER_PAGE

from .conftest import attach, days_ago, make_notice

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
ROLES = ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident"]


def html_of(response) -> str:
    return response.content.decode()


# --- the list --------------------------------------------------------------------------


def test_list_shows_published_notices_pinned_first_then_newest(client, notice_index):
    old = make_notice(notice_index, "旧通知", published_at=days_ago(10))
    new = make_notice(notice_index, "新通知", published_at=days_ago(1))
    pinned = make_notice(notice_index, "置顶的通知", pinned=True, published_at=days_ago(30))
    make_notice(notice_index, "草稿通知", publish=False)

    response = client.get("/notices/")
    assert response.status_code == 200
    html = html_of(response)
    positions = [html.index(n.title) for n in (pinned, new, old)]
    assert positions == sorted(positions)
    assert "草稿通知" not in html
    assert [n.pk for n in response.context["notices"]] == [pinned.pk, new.pk, old.pk]


def test_list_filters_by_category(client, notice_index):
    make_notice(notice_index, "低保政策解读", category=categories.POLICY)
    make_notice(notice_index, "消防安全检查", category=categories.SAFETY)
    response = client.get("/notices/", {"category": categories.POLICY})
    assert response.status_code == 200
    html = html_of(response)
    assert "低保政策解读" in html and "消防安全检查" not in html
    # The chosen category is marked, and the links keep the other parameters.
    assert 'href="?category=policy" aria-current="page"' in html


@pytest.mark.parametrize("category", ["nope", "<script>alert(1)</script>", "x" * 500])
def test_an_unknown_category_is_said_plainly(client, notice_index, category):
    make_notice(notice_index, "消防安全检查", category=categories.SAFETY)
    response = client.get("/notices/", {"category": category})
    assert response.status_code == 200
    html = html_of(response)
    assert "There is no category" in html or "没有" in html
    assert "<script>alert(1)</script>" not in html
    assert "消防安全检查" not in html
    # Every real category is offered instead.
    for code, _label in categories.categories():
        assert f"?category={code}" in html


def test_list_is_paginated(client, notice_index):
    for number in range(PER_PAGE + 3):
        make_notice(notice_index, f"第{number}号通知", published_at=days_ago(number + 1))
    first = client.get("/notices/")
    assert len(first.context["notices"]) == PER_PAGE
    assert 'rel="next" href="?page=2"' in html_of(first)
    second = client.get("/notices/", {"page": 2})
    assert second.status_code == 200
    assert len(second.context["notices"]) == 3
    assert "第22号通知" in html_of(second) and "第0号通知" not in html_of(second)


@pytest.mark.parametrize(
    ("page", "shown"), [("abc", 1), ("0", 2), ("-1", 2), ("999", 2), ("1.5", 1), ("9" * 40, 2)]
)
def test_a_bad_page_number_shows_a_page_and_says_so(client, notice_index, page, shown):
    for number in range(PER_PAGE + 1):
        make_notice(notice_index, f"第{number}号通知")
    response = client.get("/notices/", {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown
    assert response.context["page_missing"]
    assert "There is no page" in html_of(response) or "没有第" in html_of(response)


def test_category_and_page_combine_in_the_links(client, notice_index):
    for number in range(PER_PAGE + 1):
        make_notice(notice_index, f"政策{number}", category=categories.POLICY)
    html = html_of(client.get("/notices/", {"category": "policy"}))
    assert 'href="?category=policy&amp;page=2"' in html


def test_an_empty_list_says_so(client, notice_index):
    response = client.get("/notices/")
    assert response.status_code == 200
    assert response.context["paginator"].count == 0


def test_list_queries_do_not_grow_with_the_notices(client, notice_index):
    def count():
        client.get("/notices/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/notices/").status_code == 200
        return len(queries)

    for _ in range(3):
        make_notice(notice_index, pinned=True)
    few = count()
    for _ in range(15):
        make_notice(notice_index, category=categories.SAFETY)
    assert count() == few


# --- one notice -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, *ROLES], ids=lambda r: r or "anonymous")
def test_a_notice_is_readable_by_anyone(client, world, notice_index, document, role):
    if role:
        client.force_login(world.users[role])
    notice = make_notice(
        notice_index,
        "关于低保申请的通知",
        summary="三月底前到社区服务中心办理。",
        body="<p>请携带<b>户口簿</b>和身份证。</p>",
        category=categories.POLICY,
    )
    attach(notice, document, title="申请表（PDF）")
    response = client.get(notice.url)
    assert response.status_code == 200
    html = html_of(response)
    assert "关于低保申请的通知" in html
    assert "三月底前到社区服务中心办理。" in html
    assert "<b>户口簿</b>" in html
    assert str(categories.label_of(categories.POLICY)) in html or "政策" in html
    # The date as a reader says it, in Chinese.
    local = timezone.localtime(notice.first_published_at)
    assert f"{local.year}年{local.month}月{local.day}日" in html
    assert f'href="{document.url}"' in html and "申请表（PDF）" in html
    # Printable: a print button, the print-only source line, the theme's print styles.
    assert "window.print()" in html and "print-only" in html
    assert "This notice has expired" not in html and "已过期" not in html


def test_a_notice_in_english_uses_english_dates(client, notice_index):
    notice = make_notice(notice_index, "通知")
    response = client.get("/en" + notice.url)
    assert response.status_code == 200
    assert '<html lang="en">' in html_of(response)
    assert "Published" in html_of(response)


def test_drafts_and_unpublished_notices_are_404(client, notice_index, world):
    draft = make_notice(notice_index, "草稿", publish=False)
    unpublished = make_notice(notice_index, "撤下的通知")
    unpublished.unpublish()
    assert client.get(draft.url or f"/notices/{draft.slug}/").status_code == 404
    assert client.get(f"/notices/{unpublished.slug}/").status_code == 404
    client.force_login(world.users["committee"])
    assert client.get(f"/notices/{draft.slug}/").status_code == 404


def test_the_print_styles_hide_the_page_furniture():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[3] / "theme/static/theme/css/anju.css").read_text()
    assert css.count("@media print") >= 2
    print_rules = css[css.rindex("@media print") :]
    for selector in (".notice-actions", ".breadcrumbs", ".lang-switch", ".portal-nav"):
        assert selector in print_rules
    assert ".print-only { display: block" in print_rules


# --- the feed ---------------------------------------------------------------------------


def test_feed_is_valid_atom_with_the_latest_notices(client, notice_index):
    make_notice(notice_index, "活动通知 <&>", summary="周六上午九点", category=categories.ACTIVITY)
    make_notice(notice_index, "草稿", publish=False)
    response = client.get("/notices/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # raises on malformed XML
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["活动通知 <&>"]
    entry = entries[0]
    assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/notices/")
    assert entry.find(f"{ATOM}summary").text == "周六上午九点"
    assert entry.find(f"{ATOM}category") is not None
    assert entry.find(f"{ATOM}updated") is not None


def test_feed_is_linked_from_the_list_and_the_home_page(client, notice_index):
    assert 'href="/notices/feed/"' in html_of(client.get("/notices/"))
    assert 'type="application/atom+xml"' in html_of(client.get("/"))


def test_empty_feed_is_still_valid(client, notice_index):
    response = client.get("/notices/feed/")
    assert response.status_code == 200
    assert ET.fromstring(response.content).findall(f"{ATOM}entry") == []


# --- the home page ----------------------------------------------------------------------


def test_home_page_shows_pinned_and_latest_notices(client, notice_index):
    pinned = make_notice(notice_index, "置顶：停水通知", pinned=True)
    latest = make_notice(notice_index, "最新：活动通知")
    make_notice(notice_index, "草稿不显示", publish=False)
    response = client.get("/")
    assert response.status_code == 200
    assert [n.pk for n in response.context["pinned_notices"]] == [pinned.pk]
    assert [n.pk for n in response.context["latest_notices"]] == [latest.pk]
    html = html_of(response)
    pinned_section = html[html.index('id="pinned-notices"') : html.index('id="latest-notices"')]
    latest_section = html[html.index('id="latest-notices"') : html.index('id="service-directory"')]
    assert "置顶：停水通知" in pinned_section and f'href="{pinned.url}"' in pinned_section
    assert "最新：活动通知" in latest_section and "置顶：停水通知" not in latest_section
    assert "草稿不显示" not in html
    assert 'href="/notices/"' in latest_section  # "all notices"


def test_home_page_limits_its_lists(client, notice_index):
    for number in range(HOME_PINNED + 2):
        make_notice(notice_index, f"置顶{number}", pinned=True)
    for number in range(HOME_LATEST + 2):
        make_notice(notice_index, f"普通{number}")
    response = client.get("/")
    assert len(response.context["pinned_notices"]) == HOME_PINNED
    assert len(response.context["latest_notices"]) == HOME_LATEST


def test_home_page_without_a_notice_list_still_renders(client, home):
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["pinned_notices"] == []
    assert not response.context["notice_index"]  # lazy (anju.core.localcache.lazy_context)


def test_anonymous_home_page_query_budget_with_30_notices(client, notice_index, document):
    from tests.platform.test_portal import ANONYMOUS_PAGE_QUERY_BUDGET

    for number in range(30):
        notice = make_notice(notice_index, f"通知{number}", pinned=number % 5 == 0)
        attach(notice, document)
    client.get("/")  # warm Wagtail's site-root cache, as any running server has
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert len(response.context["latest_notices"]) == HOME_LATEST
    assert len(queries) <= ANONYMOUS_PAGE_QUERY_BUDGET, [q["sql"] for q in queries]


def test_anonymous_list_and_notice_pages_stay_within_the_budget(client, notice_index, document):
    from tests.platform.test_portal import ANONYMOUS_PAGE_QUERY_BUDGET

    for number in range(30):
        notice = make_notice(notice_index, f"通知{number}")
    attach(notice, document)
    for url in ("/notices/", notice.url, "/notices/?category=policy", "/notices/?q=通知"):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= ANONYMOUS_PAGE_QUERY_BUDGET, (url, [q["sql"] for q in queries])


def test_notices_of_another_community_stay_on_its_home_page(client, notice_index):
    from wagtail.models import Page

    from anju.notices.models import NoticeIndexPage
    from anju.portal.models import HomePage

    root = Page.get_first_root_node()
    other_home = root.add_child(instance=HomePage(title="另一个社区", slug="other"))
    other_index = other_home.add_child(instance=NoticeIndexPage(title="通知", slug="notices"))
    make_notice(other_index, "别的社区的通知")
    mine = make_notice(notice_index, "本社区的通知")
    response = client.get("/")
    assert [n.pk for n in response.context["latest_notices"]] == [mine.pk]
