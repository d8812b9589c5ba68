"""Anju on more than one machine: two app processes (gunicorn, as in production) and a
Celery worker share one PostgreSQL and one Redis, and keep nothing of their own. A
notice published through one process's admin is served fresh by the other at once —
its anonymous page cache (shared in Redis) forgets the old list — and the worker fans
it out."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from tests.conftest import _worker_database_url

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppProcess:
    """``gunicorn anju.wsgi`` on a port of its own, on the test database."""

    def __init__(self, env: dict[str, str]):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = REPO / f".pytest_cache/gunicorn-{self.port}.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "anju.wsgi",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
            ],
            cwd=REPO,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn died:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/health/?format=json", timeout=5):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer:\n{self.log.read_text()[-3000:]}")

    def get(self, path: str, opener=None):
        with (opener or urllib.request.build_opener()).open(self.url + path, timeout=30) as r:
            return r.status, r.headers, r.read().decode()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _signed_in_opener(user) -> urllib.request.OpenerDirector:
    """A browser's cookie jar holding ``user``'s session (sessions live in the database,
    so any process recognises it)."""
    client = Client()
    client.force_login(user)
    jar = http.cookiejar.CookieJar()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    jar.set_cookie(
        http.cookiejar.Cookie(
            0,
            cookie.key,
            cookie.value,
            None,
            False,
            "127.0.0.1",
            True,
            False,
            "/",
            True,
            False,
            None,
            False,
            None,
            None,
            {},
        )
    )
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


@pytest.mark.django_db(transaction=True)
def test_a_notice_published_on_one_process_is_served_fresh_by_the_other(
    world, celery_worker, settings
):
    from anju.notices.models import NoticeIndexPage
    from anju.notify.models import Message
    from anju.portal.site import ensure_home_page

    settings.PORTAL_CACHE_SECONDS = 300
    home = ensure_home_page()
    index = home.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "anju.settings.test",
        "DATABASE_URL": _worker_database_url(connection.settings_dict),
        "CELERY_TASK_DEFAULT_QUEUE": celery_worker.queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PORTAL_CACHE_SECONDS": "300",
    }
    first, second = AppProcess(env), AppProcess(env)
    try:
        first.wait()
        second.wait()
        # Both serve the list; the second answer comes from the shared cache.
        for app in (first, second):
            status, _, body = app.get("/notices/")
            assert status == 200 and "换届选举" not in body
        _, headers, _ = second.get("/notices/")
        assert "max-age" in headers.get("Cache-Control", "")

        # The committee publishes through the first process's admin form.
        opener = _signed_in_opener(world.users["superuser"])
        add = reverse("wagtailadmin_pages:add", args=["notices", "noticepage", index.pk])
        _, _, form = first.get(add, opener)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = nested_form_data(
            {
                "title": "关于居委会换届选举的公告",
                "slug": "election",
                "category": "public_affairs",
                "summary": "请各位居民按时投票。",
                "body": rich_text("<p>投票时间：本周六上午。</p>"),
                "attachments": inline_formset([]),
                "comments": inline_formset([]),
                "audience": "everyone",
                "action-publish": "action-publish",
                "csrfmiddlewaretoken": token,
            }
        )
        request = urllib.request.Request(
            first.url + add,
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": first.url + add},
        )
        with opener.open(request, timeout=60) as response:
            assert response.status == 200  # followed the redirect to the page list
            assert "/admin/pages/" in response.url

        # The other process serves it at once, on the list and as a page.
        status, _, body = second.get("/notices/")
        assert status == 200 and "关于居委会换届选举的公告" in body
        status, _, body = second.get("/notices/election/")
        assert status == 200 and "投票时间" in body

        # The worker told every resident with a phone: one message each, no more.
        from anju.community.models import Resident
        from anju.notices.models import NoticePage

        page = NoticePage.objects.get(slug="election")
        expected = set(Resident.objects.filter(phone__isnull=False).values_list("pk", flat=True))
        assert expected

        def messaged():
            keys = Message.objects.filter(dedup_key__startswith=f"notice:{page.pk}:").values_list(
                "dedup_key", flat=True
            )
            return [int(key.split(":")[3]) for key in keys]

        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(messaged()) < len(expected):
            time.sleep(0.5)
        assert sorted(messaged()) == sorted(expected)
        # And delivered: the worker, started without -Q as in production, takes the
        # batches from the bulk queue too.
        from anju.notify.models import SmsLog, Status

        mine = Message.objects.filter(dedup_key__startswith=f"notice:{page.pk}:")
        while time.monotonic() < deadline and mine.filter(status=Status.PENDING).exists():
            time.sleep(0.5)
        assert set(mine.values_list("status", flat=True)) == {Status.SENT}
        assert SmsLog.objects.filter(message__in=mine).count() == len(expected)
    finally:
        first.stop()
        second.stop()
