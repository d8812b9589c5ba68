"""The admin menu shows a role only what it can open, and a refused admin page is a
translated admin page that says why (issue 18): grid workers saw Reports → workflows,
workflow tasks, site history, aging pages and page types usage, which answered 403."""

import re

import pytest
from django.urls import reverse

from anju.notices.models import NoticeIndexPage
from anju.notices.workflow import ensure_notice_workflow
from anju.portal.site import ensure_home_page

pytestmark = pytest.mark.django_db

REPORTS = {
    "workflows": "/admin/reports/workflow/",
    "workflow tasks": "/admin/reports/workflow_tasks/",
    "site history": "/admin/reports/site-history/",
    "aging pages": "/admin/reports/aging-pages/",
    "page types usage": "/admin/reports/page-types-usage/",
}


@pytest.fixture
def with_pages(world):
    """Page permissions as the demo gives them (grid workers submit notices), which is
    what puts Reports in a grid worker's menu."""
    home = ensure_home_page()
    index = home.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))
    ensure_notice_workflow([index])
    return world


def menu_urls(client) -> set[str]:
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    return set(re.findall(r'"url": "(/admin/[^"]*)"', html))


@pytest.mark.parametrize("role", ["grid_worker", "resident_rep"])
def test_grid_restricted_roles_see_no_report_they_cannot_open(client, with_pages, role):
    client.force_login(with_pages.users[role])
    urls = menu_urls(client)
    assert not {url for url in REPORTS.values() if url in urls}
    for url in REPORTS.values():
        assert client.get(url).status_code == 403
    # what they may open stays
    assert reverse("anju_my_grids") in urls


@pytest.mark.parametrize("role", ["superuser", "committee"])
def test_the_committee_keeps_the_reports(client, with_pages, role):
    client.force_login(with_pages.users[role])
    urls = menu_urls(client)
    shown = {url for url in REPORTS.values() if url in urls}
    assert shown, "the committee's Reports menu lost its items"
    for url in shown:
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", ["grid_worker", "resident_rep"])
def test_a_refused_admin_page_is_translated_styled_and_says_why(client, with_pages, role):
    client.force_login(with_pages.users[role])
    response = client.get(REPORTS["workflows"])
    assert response.status_code == 403
    html = response.content.decode()
    assert "data-admin-403" in html
    assert "无权访问" in html
    assert "只负责部分网格的角色不能打开此页面" in html  # the reason, in Chinese
    assert "403 Forbidden" not in html and "Forbidden" not in html
    assert "wagtailadmin" in html or "w-theme" in html  # the admin's own frame
    assert reverse("wagtailadmin_home") in html


def test_the_portal_keeps_its_own_refusal_page(client, world):
    response = client.get("/admin/reports/workflow/")  # signed out: to the login
    assert response.status_code == 302


def test_no_outside_avatar_is_requested(client, world, settings):
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    client.force_login(world.users["committee"])
    world.users["committee"].email = "weiyuan@example.cn"
    world.users["committee"].save()
    for url in (reverse("wagtailadmin_home"), reverse("wagtailadmin_account")):
        html = client.get(url).content.decode()
        assert "gravatar" not in html.lower()
