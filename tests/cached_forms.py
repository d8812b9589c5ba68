"""Checks shared by the tests of every portal form whose page anonymous visitors get from
the page cache (service forms, and plugins' own forms through
``anju.services.form_page_response``): the page carries no CSRF token of anyone's, says
that it needs JavaScript, is served from the cache the second time with public cache
headers and ``Vary: Cookie``; posting works with the token form_token.js fetches and is
refused with the friendly 403 page without it; a signed-in visitor's page is private and
never served to anyone else."""

from __future__ import annotations

import re

from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

NEEDS_JS = (
    "This form needs JavaScript to be sent. Please turn it on in your browser, or call "
    "or visit your community office."
)


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def assert_cached_for_anonymous_visitors(client: Client, url: str) -> str:
    """The anonymous page: cacheable, no token in it; returns its HTML."""
    first = client.get(url)
    assert first.status_code == 200, first.content.decode()[:500]
    assert first["X-Anju-Cache"] == "miss" and not first.cookies, first.cookies
    html = first.content.decode()
    assert 'data-token-url="/cases/form-token/"' in html and "form_token.js" in html
    assert re.search(r'name="csrfmiddlewaretoken" value=""', html)
    assert not re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', html)
    assert "<noscript>" in html and zh(NEEDS_JS) in html and zh(NEEDS_JS) != NEEDS_JS
    second = client.get(url)
    assert second["X-Anju-Cache"] == "hit" and second.content == first.content
    for response in (first, second):
        assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
        assert "private" not in response["Cache-Control"]
        assert "Cookie" in response["Vary"]
    return html


def assert_private_when_signed_in(client: Client, url: str, user, *, mark: str = "") -> None:
    """Signed in: the token in the page, ``private``, never stored; an anonymous visitor
    then gets the anonymous page (without ``mark``, something only the signed-in page
    shows)."""
    Client().get(url)  # an anonymous copy in the cache
    client.force_login(user)
    mine = client.get(url)
    assert mine.status_code == 200
    assert "X-Anju-Cache" not in mine
    assert "private" in mine["Cache-Control"] and "public" not in mine["Cache-Control"]
    html = mine.content.decode()
    assert re.search(r'name="csrfmiddlewaretoken" value="[^"]{32,}"', html)
    assert "data-token-url" not in html
    if mark:
        assert mark in html
    other = Client().get(url)
    assert other["X-Anju-Cache"] == "hit"
    assert not re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', other.content.decode())
    if mark:
        assert mark not in other.content.decode()


def post_with_fetched_token(url: str, data: dict):
    """What a browser does: the cached page, then the token form_token.js fetches, then
    the post, with CSRF checks on."""
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(url).status_code == 200
    token = browser.get("/cases/form-token/").json()
    return browser.post(url, {**data, "csrfmiddlewaretoken": token["csrf"]})


def assert_refused_without_token(url: str, data: dict) -> None:
    """Without JavaScript no token is filled in: the friendly, translated 403 page."""
    browser = Client(enforce_csrf_checks=True)
    browser.get(url)
    response = browser.post(url, {**data, "csrfmiddlewaretoken": ""})
    assert response.status_code == 403
    html = response.content.decode()
    assert zh("The form could not be sent") in html
    assert zh("The form could not be sent") != "The form could not be sent"
    assert "CSRF" not in html and "Traceback" not in html
    assert "private" in response["Cache-Control"]
