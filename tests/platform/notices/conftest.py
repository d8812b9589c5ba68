"""Notices on the portal: a home page, its notice list, and a helper that publishes."""

import datetime
import itertools

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from anju.notices import categories
from anju.notices.models import NoticeAttachment, NoticeIndexPage, NoticePage
from anju.portal.site import ensure_home_page

_slugs = itertools.count(1)


@pytest.fixture(autouse=True)
def _no_page_cache(settings, tmp_path):
    """Measure and read the pages themselves, not the anonymous page cache; keep
    uploaded documents out of the repository."""
    settings.PORTAL_CACHE_SECONDS = 0
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def home(db):
    return ensure_home_page()


@pytest.fixture
def notice_index(home):
    return home.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))


def make_notice(
    index,
    title="关于社区活动的通知",
    *,
    body="<p>请各位居民知悉。</p>",
    summary="",
    category=categories.PUBLIC_AFFAIRS,
    pinned=False,
    publish=True,
    published_at=None,
    expire_at=None,
    go_live_at=None,
    slug=None,
    user=None,
) -> NoticePage:
    """Add a notice under ``index`` and (by default) publish it. ``published_at`` sets
    its first-published time (the lists' order)."""
    notice = NoticePage(
        title=title,
        slug=slug or f"notice-{next(_slugs)}",
        body=body,
        summary=summary,
        category=category,
        pinned=pinned,
        expire_at=expire_at,
        go_live_at=go_live_at,
        live=False,
        owner=user,
    )
    index.add_child(instance=notice)
    if publish:
        notice.save_revision(user=user).publish(user=user)
        notice.refresh_from_db()
    if published_at is not None:
        NoticePage.objects.filter(pk=notice.pk).update(
            first_published_at=published_at, last_published_at=published_at
        )
        notice.refresh_from_db()
    return notice


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def document(db):
    from wagtail.documents.models import Document

    return Document.objects.create(
        title="低保申请表",
        file=ContentFile(b"%PDF-1.4 test", name="dibao.pdf"),
        file_size=13,
    )


def attach(notice, document, title="") -> NoticeAttachment:
    return NoticeAttachment.objects.create(page=notice, document=document, title=title)
