"""The Chinese admin has no English left where Wagtail's own catalogue lacks the words:
the keyboard-shortcut dialog, "Exploring", the page count named after "localhost"
(issue 21). The project's translations of Wagtail's strings live in
anju/wagtail_translations/locale (in LOCALE_PATHS, which take precedence)."""

import re

import pytest
from django.urls import reverse

from anju.portal.site import ensure_home_page

pytestmark = pytest.mark.django_db

ENGLISH = [
    "Exploring",
    "created in",
    "localhost",
    "Show keyboard shortcuts",
    "Keyboard shortcuts are currently",
    "Toggle minimap",
    "Close modal dialogs",
    "Save changes",
    "Paste without formatting",
    "Text formatting",
    "Wagtail upgrade available",
    "Has child pages",
    "Date updated",
]


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def home(world):
    return ensure_home_page()


def pages(home):
    return {
        "dashboard": reverse("wagtailadmin_home"),
        "explorer": reverse("wagtailadmin_explore", args=[home.pk]),
        "edit": reverse("wagtailadmin_pages:edit", args=[home.pk]),
        "cases": reverse("anju_cases"),
    }


@pytest.mark.parametrize("page", ["dashboard", "explorer", "edit", "cases"])
def test_the_chinese_admin_has_no_english_left(world, client, home, page):
    client.force_login(world.users["superuser"])
    response = client.get(pages(home)[page])
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert [english for english in ENGLISH if english in text] == []
    assert "显示键盘快捷键" in text and "键盘快捷键已开启" in text


def test_the_site_is_named_after_the_community_not_the_host(world, client, home):
    from wagtail.models import Site

    Site.objects.update(site_name="")  # as Wagtail's first migration leaves it
    ensure_home_page()
    assert Site.objects.get(is_default_site=True).site_name == world.community.name
    client.force_login(world.users["superuser"])
    text = visible_text(client.get(reverse("wagtailadmin_home")).content.decode())
    assert "localhost" not in text


def test_the_explorer_says_browsing_in_chinese(world, client, home):
    client.force_login(world.users["superuser"])
    html = client.get(pages(home)["explorer"]).content.decode()
    assert f"浏览: {home.title}" in html or f"浏览：{home.title}" in html


def test_the_login_form_is_chinese(client, world):
    text = visible_text(client.get(reverse("wagtailadmin_login")).content.decode())
    assert "密码" in text and "用户名" in text
    assert "Password" not in text
    assert "登录管理后台" in text


def test_signing_in_still_works_with_the_translated_form(client, world):
    user = world.users["committee"]
    user.set_password("anju-test-2026")
    user.save()
    response = client.post(
        reverse("wagtailadmin_login"), {"username": "committee", "password": "anju-test-2026"}
    )
    assert response.status_code == 302
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
