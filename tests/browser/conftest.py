"""What the browser tests share: a phone-sized page in Debian's chromium, with the
page's console errors collected on ``page.errors``."""

import pytest
from django.db import connections

from .test_smoke import CHROMIUM_ARGS


@pytest.fixture
def phone_page(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 375, "height": 740}, locale="zh-CN")
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.errors = errors
        yield page
        browser.close()
        connections.close_all()
