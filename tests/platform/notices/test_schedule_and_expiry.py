"""Scheduled publishing (go_live_at) and expiry (expire_at) are Wagtail's own, run by
the ``anju.publish_scheduled_pages`` task. An expired notice leaves every list, the feed,
the home page, the search and the API list, but its page stays readable and says it has
expired."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from anju.core.tasks import publish_scheduled_pages
from anju.notices.models import NoticePage

from .conftest import make_notice

pytestmark = pytest.mark.django_db

EXPIRED_BANNER = ("This notice has expired", "已过期")


def is_shown_as_expired(html: str) -> bool:
    return any(text in html for text in EXPIRED_BANNER)


def everywhere_listed(client) -> dict[str, str]:
    """The text of every public list of notices."""
    return {
        "list": client.get("/notices/").content.decode(),
        "feed": client.get("/notices/feed/").content.decode(),
        "home": client.get("/").content.decode(),
        "search": client.get("/notices/", {"q": "停水"}).content.decode(),
        "api": client.get("/api/notices/").content.decode(),
        "api_search": client.get("/api/notices/", {"q": "停水"}).content.decode(),
    }


def test_a_notice_scheduled_for_later_goes_live_when_its_time_comes(client, notice_index):
    go_live = timezone.now() + datetime.timedelta(hours=2)
    notice = make_notice(notice_index, "下周停水通知", go_live_at=go_live, publish=False)
    revision = notice.save_revision()
    revision.publish()  # with go_live_at in the future this only schedules it
    notice.refresh_from_db()
    assert not notice.live
    assert client.get(f"/notices/{notice.slug}/").status_code == 404
    assert all("下周停水通知" not in text for text in everywhere_listed(client).values())

    publish_scheduled_pages.delay()  # not yet due: nothing happens
    notice.refresh_from_db()
    assert not notice.live

    # Let the time pass: the revision is now due.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    publish_scheduled_pages.delay()
    notice.refresh_from_db()
    assert notice.live
    response = client.get(f"/notices/{notice.slug}/")
    assert response.status_code == 200 and not is_shown_as_expired(response.content.decode())
    listed = everywhere_listed(client)
    for name in ("list", "feed", "home", "api", "search", "api_search"):
        assert "下周停水通知" in listed[name], name


def test_an_expired_notice_leaves_the_lists_but_its_page_says_it_expired(client, notice_index):
    notice = make_notice(
        notice_index,
        "停水通知",
        body="<p>周三全天停水。</p>",
        expire_at=timezone.now() + datetime.timedelta(days=3),
    )
    keeper = make_notice(notice_index, "长期有效的通知")
    listed = everywhere_listed(client)
    for name in ("list", "feed", "home", "api", "search", "api_search"):
        assert "停水通知" in listed[name], name

    # Three days later: Wagtail's scheduler unpublishes it as expired.
    NoticePage.objects.filter(pk=notice.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    publish_scheduled_pages.delay()
    notice.refresh_from_db()
    assert not notice.live and notice.expired

    listed = everywhere_listed(client)
    for name, text in listed.items():
        assert "停水通知" not in text, name
    assert "长期有效的通知" in listed["list"] and "长期有效的通知" in listed["feed"]
    assert ET.fromstring(client.get("/notices/feed/").content) is not None

    response = client.get(f"/notices/{notice.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert is_shown_as_expired(html)
    assert "停水通知" in html and "周三全天停水。" in html
    assert not is_shown_as_expired(client.get(keeper.url).content.decode())

    detail = client.get(f"/api/notices/{notice.pk}/")
    assert detail.status_code == 200 and detail.json()["expired"] is True
    assert client.get(f"/api/notices/{keeper.pk}/").json()["expired"] is False
    # Wagtail's own page API serves only live pages.
    v2 = client.get("/api/v2/pages/", {"type": "notices.NoticePage"}).json()
    assert [item["title"] for item in v2["items"]] == ["长期有效的通知"]


def test_a_notice_past_its_expiry_leaves_the_lists_before_the_scheduler_runs(client, notice_index):
    notice = make_notice(
        notice_index, "停水通知", expire_at=timezone.now() + datetime.timedelta(days=1)
    )
    NoticePage.objects.filter(pk=notice.pk).update(
        expire_at=timezone.now() - datetime.timedelta(seconds=5)
    )
    notice.refresh_from_db()
    assert notice.live  # the scheduler has not run yet
    for name, text in everywhere_listed(client).items():
        assert "停水通知" not in text, name
    response = client.get(notice.url)
    assert response.status_code == 200 and is_shown_as_expired(response.content.decode())


def test_republishing_an_expired_notice_lists_it_again(client, notice_index):
    notice = make_notice(
        notice_index, "停水通知", expire_at=timezone.now() + datetime.timedelta(days=1)
    )
    NoticePage.objects.filter(pk=notice.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    publish_scheduled_pages.delay()
    notice.refresh_from_db()
    notice.expire_at = timezone.now() + datetime.timedelta(days=7)
    notice.save_revision().publish()
    notice.refresh_from_db()
    assert notice.live and not notice.expired
    assert "停水通知" in client.get("/notices/").content.decode()
    assert not is_shown_as_expired(client.get(notice.url).content.decode())


def test_an_expired_notice_with_a_new_draft_still_shows_what_was_published(client, notice_index):
    notice = make_notice(
        notice_index,
        "停水通知",
        body="<p>已发布的内容</p>",
        expire_at=timezone.now() + datetime.timedelta(days=1),
    )
    NoticePage.objects.filter(pk=notice.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    publish_scheduled_pages.delay()
    notice.refresh_from_db()
    notice.body = "<p>尚未发布的草稿</p>"
    notice.save_revision()
    html = client.get(f"/notices/{notice.slug}/").content.decode()
    assert "已发布的内容" in html and "尚未发布的草稿" not in html


def test_expired_pages_of_other_types_are_not_resurrected(client, home):
    """Only notices stay readable after expiry: Wagtail's 404 for other pages."""
    from anju.portal.models import StandardPage

    page = home.add_child(
        instance=StandardPage(
            title="旧页面", slug="old", expire_at=timezone.now() + datetime.timedelta(days=1)
        )
    )
    page.save_revision().publish()
    StandardPage.objects.filter(pk=page.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    publish_scheduled_pages.delay()
    assert client.get("/old/").status_code == 404


def test_a_restricted_notice_is_not_listed_and_asks_for_a_password(client, notice_index):
    from wagtail.models import PageViewRestriction

    notice = make_notice(notice_index, "内部通知", body="<p>机密内容</p>")
    PageViewRestriction.objects.create(
        page=notice, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    assert "内部通知" not in client.get("/notices/").content.decode()
    assert "内部通知" not in client.get("/notices/feed/").content.decode()
    assert "内部通知" not in client.get("/api/notices/").content.decode()
    assert client.get(f"/api/notices/{notice.pk}/").status_code == 404
    response = client.get(notice.url)
    assert "机密内容" not in response.content.decode()  # Wagtail's password form instead
