import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju.portal.models import HomePage, StandardPage
from anju.portal.site import ensure_home_page

pytestmark = pytest.mark.django_db

# Issue 20: an anonymous portal page, rendered (the page cache off or missed), costs at
# most 8 queries once its process has seen a request since the last publish.
ANONYMOUS_PAGE_QUERY_BUDGET = 8


@pytest.fixture
def home():
    return ensure_home_page()


def test_ensure_home_page_is_idempotent(home):
    assert ensure_home_page().pk == home.pk
    assert HomePage.objects.count() == 1
    assert home.get_site().is_default_site


def test_home_page_is_chinese_by_default(client, home):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    # The three places later layers fill are on the page, with their Chinese headings.
    assert 'id="pinned-notices"' in html and "置顶通知" in html
    assert 'id="latest-notices"' in html and "最新通知" in html
    assert 'id="service-directory"' in html and "便民服务" in html
    # The language switch offers English at its own URL.
    assert 'href="/en/"' in html


def test_english_is_served_under_en(client, home):
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Pinned notices" in html
    assert 'href="/"' in html  # switch back to Chinese


def test_standard_page_renders(client, home):
    home.add_child(instance=StandardPage(title="社区简介", slug="about", body="<p>网格化</p>"))
    response = client.get("/about/")
    assert response.status_code == 200
    assert "社区简介" in response.content.decode()
    assert "网格化" in response.content.decode()


def test_unknown_page_is_404(client, home):
    assert client.get("/no-such-page/").status_code == 404


def test_anonymous_home_page_query_budget_when_rendered(client, home, settings):
    settings.PORTAL_CACHE_SECONDS = 0  # measure the rendering itself, not the cache
    client.get("/")  # warm Wagtail's site-root cache, as any running server has
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    assert len(queries) <= ANONYMOUS_PAGE_QUERY_BUDGET, [q["sql"] for q in queries]


def test_anonymous_pages_come_from_the_cache_until_a_publish(client, home):
    first = client.get("/")
    assert first["X-Anju-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/")
    assert second["X-Anju-Cache"] == "hit" and len(queries) == 0
    assert second.content == first.content
    home.intro = "新的一句话"
    home.save_revision().publish()
    third = client.get("/")
    assert third["X-Anju-Cache"] == "miss" and "新的一句话" in third.content.decode()


def test_signed_in_visitors_are_never_served_from_the_cache(client, home, world):
    client.get("/")
    client.force_login(world.users["committee"])
    response = client.get("/")
    assert "X-Anju-Cache" not in response


def test_languages_are_cached_apart(client, home):
    client.get("/")
    response = client.get("/en/")
    assert response["X-Anju-Cache"] == "miss" and '<html lang="en">' in response.content.decode()


def test_page_types_are_placed_where_they_belong(home):
    # Another community gets its own home page beside this one, never inside it.
    assert HomePage.can_create_at(home.get_parent())
    assert not HomePage.can_create_at(home)
    assert StandardPage.can_create_at(home)


def test_admin_is_chinese_by_default(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert "登录" in response.content.decode()
