"""What the browser tests share: Debian's chromium (never a downloaded browser), pages
that collect their console errors on ``page.errors``, and a phone-sized page."""

import pytest
from django.db import connections

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def chromium(monkeypatch):
    """A headless chromium, closed after the test."""
    # Playwright's sync API runs an event loop in this thread; the live server answers in
    # its own thread, so Django's async-safety guard does not apply here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Inside Playwright's event loop asgiref gives this thread a separate set of
        # database connections; close them, or the test database cannot be dropped.
        connections.close_all()


def watch_errors(page, *, console: bool = True):
    """Collect the page's uncaught exceptions (and console errors) on ``page.errors``."""
    page.errors = []
    if console:
        page.on(
            "console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None
        )
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


@pytest.fixture
def phone_page(chromium):
    return watch_errors(chromium.new_page(viewport={"width": 375, "height": 740}, locale="zh-CN"))
