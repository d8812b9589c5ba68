"""With DEBUG off, 404, 403 and 500 are the portal's own pages, in Chinese (or English
under /en/), styled like the rest of the portal — not Django's English defaults."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from anju.urls import urlpatterns as project_urls


def boom(request):
    raise RuntimeError("broken on purpose")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [path("boom/", boom), path("forbidden/", forbidden), *project_urls]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_404_is_the_portals_page_in_chinese(world, settings):
    settings.DEBUG = False
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "theme/css/anju.css" in html
    assert "Not Found" not in html


def test_403_is_the_portals_page_in_chinese(world, settings):
    settings.DEBUG = False
    response = Client().get("/forbidden/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html and "theme/css/anju.css" in html


def test_500_is_the_portals_page_in_chinese(world, settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "出错了" in html and "theme/css/anju.css" in html
    assert "Server Error" not in html
