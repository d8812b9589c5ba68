"""The public notices API (/api/notices/) and NoticePage in Wagtail's page API."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openapi_spec_validator import validate

from anju.notices import categories
from anju.notices.models import NoticePage
from anju.notices.search import MAX_QUERY_LENGTH

from .conftest import attach, days_ago, make_notice

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident"]


@pytest.mark.parametrize("role", [None, *ROLES], ids=lambda r: r or "anonymous")
def test_anyone_reads_the_list(client, world, notice_index, role):
    if role:
        client.force_login(world.users[role])
    pinned = make_notice(notice_index, "置顶通知", pinned=True, published_at=days_ago(9))
    newer = make_notice(notice_index, "新通知", published_at=days_ago(1))
    make_notice(notice_index, "草稿", publish=False)
    response = client.get("/api/notices/")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [item["id"] for item in data["results"]] == [pinned.pk, newer.pk]
    item = data["results"][0]
    assert item["title"] == "置顶通知" and item["pinned"] is True
    assert item["category"] == categories.PUBLIC_AFFAIRS
    assert item["url"].endswith(f"/notices/{pinned.slug}/")
    assert "body" not in item  # a list is light


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nothing_can_be_written(client, world, notice_index, method):
    notice = make_notice(notice_index)
    client.force_login(world.users["superuser"])
    url = "/api/notices/" if method == "post" else f"/api/notices/{notice.pk}/"
    response = getattr(client, method)(url, {"title": "改"}, content_type="application/json")
    assert response.status_code == 405
    assert NoticePage.objects.get(pk=notice.pk).title == notice.title


def test_detail_has_everything_a_reader_needs(client, notice_index, document):
    notice = make_notice(
        notice_index,
        "低保申请",
        summary="三月底前办理。",
        body="<p>请携带<b>户口簿</b>。</p>",
        category=categories.POLICY,
        expire_at=timezone.now() + datetime.timedelta(days=30),
    )
    attach(notice, document, title="申请表")
    response = client.get(f"/api/notices/{notice.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "低保申请"
    assert data["category"] == "policy" and data["category_label"] in ("Policy", "政策")
    assert data["summary"] == "三月底前办理。"
    assert data["body"] == "<p>请携带<b>户口簿</b>。</p>"
    assert data["first_published_at"]
    assert data["url"] == f"http://localhost/notices/{notice.slug}/" or data["url"].endswith(
        f"/notices/{notice.slug}/"
    )
    assert data["pinned"] is False and data["expired"] is False and data["expire_at"]
    assert data["attachments"] == [
        {
            "title": "申请表",
            "url": f"http://testserver{document.url}",
            "file_extension": "pdf",
            "file_size": 13,
        }
    ]


def test_drafts_and_unpublished_notices_are_404(client, notice_index):
    draft = make_notice(notice_index, publish=False)
    unpublished = make_notice(notice_index)
    unpublished.unpublish()
    assert client.get(f"/api/notices/{draft.pk}/").status_code == 404
    assert client.get(f"/api/notices/{unpublished.pk}/").status_code == 404
    assert client.get("/api/notices/999999/").status_code == 404
    assert client.get("/api/notices/abc/").status_code == 404


def test_list_filters_by_category(client, notice_index):
    make_notice(notice_index, "政策", category=categories.POLICY)
    make_notice(notice_index, "安全", category=categories.SAFETY)
    data = client.get("/api/notices/", {"category": "safety"}).json()
    assert [item["title"] for item in data["results"]] == ["安全"]
    # A plugin's category is a category too (the dummy plugin registers one).
    assert client.get("/api/notices/", {"category": "dummy"}).json()["count"] == 0


@pytest.mark.parametrize("category", ["nope", "x" * 300, "<b>"])
def test_an_unknown_category_is_a_400(client, notice_index, category):
    response = client.get("/api/notices/", {"category": category})
    assert response.status_code == 400
    assert "category" in response.json()


def test_list_searches_chinese(client, notice_index):
    make_notice(notice_index, "民生工程", body="<p>为居民通上了天然气。</p>")
    make_notice(notice_index, "低保申请", category=categories.POLICY)
    data = client.get("/api/notices/", {"q": "天然气"}).json()
    assert [item["title"] for item in data["results"]] == ["民生工程"]
    data = client.get("/api/notices/", {"q": "低保", "category": "policy"}).json()
    assert [item["title"] for item in data["results"]] == ["低保申请"]
    data = client.get("/api/notices/", {"q": "低保", "category": "safety"}).json()
    assert data["count"] == 0


@pytest.mark.parametrize("query", ["", "   ", "，。！", "天然气" * 10])
def test_any_reasonable_query_is_answered(client, notice_index, query):
    make_notice(notice_index, "民生工程", body="<p>为居民通上了天然气。</p>")
    response = client.get("/api/notices/", {"q": query})
    assert response.status_code == 200


def test_a_too_long_query_is_a_400(client, notice_index):
    response = client.get("/api/notices/", {"q": "气" * (MAX_QUERY_LENGTH + 1)})
    assert response.status_code == 400 and "q" in response.json()


def test_list_is_paginated(client, notice_index):
    for number in range(23):
        make_notice(notice_index, f"通知{number}")
    first = client.get("/api/notices/").json()
    assert first["count"] == 23 and len(first["results"]) == 20 and first["next"]
    second = client.get("/api/notices/", {"page": 2}).json()
    assert len(second["results"]) == 3 and second["next"] is None
    assert len(client.get("/api/notices/", {"page_size": 5}).json()["results"]) == 5
    assert len(client.get("/api/notices/", {"page_size": 1000}).json()["results"]) == 23


@pytest.mark.parametrize("page", ["0", "abc", "99", "-1"])
def test_a_bad_page_is_a_404_not_an_error(client, notice_index, page):
    make_notice(notice_index)
    response = client.get("/api/notices/", {"page": page})
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("params", [{}, {"q": "通知"}, {"category": "policy"}])
def test_list_queries_do_not_grow_with_the_notices(client, notice_index, document, params):
    def queries_for_list():
        client.get("/api/notices/", params)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/notices/", params)
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    def add(count):
        for _ in range(count):
            notice = make_notice(notice_index, "通知", category=categories.POLICY)
            attach(notice, document)

    add(4)
    n_queries, n_count = queries_for_list()
    add(8)
    three_n_queries, three_n_count = queries_for_list()
    assert (n_count, three_n_count) == (4, 12)
    assert three_n_queries == n_queries, n_queries


def test_detail_queries_do_not_grow_with_the_attachments(client, notice_index, document):
    notice = make_notice(notice_index)

    def queries_for_detail():
        client.get(f"/api/notices/{notice.pk}/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/notices/{notice.pk}/").status_code == 200
        return len(queries)

    attach(notice, document)
    one = queries_for_detail()
    for _ in range(5):
        attach(notice, document)
    assert queries_for_detail() == one


def test_grid_restricted_roles_may_use_it(client, world, notice_index):
    """A public route is allowed for grid workers and representatives by the deny-by-
    default middleware."""
    make_notice(notice_index)
    for role in ("grid_worker", "resident_rep"):
        client.force_login(world.users[role])
        assert client.get("/api/notices/").status_code == 200


def test_the_schema_describes_the_notices_api(client):
    response = client.get("/api/schema/", {"format": "json"})
    schema = json.loads(response.content)
    validate(schema)
    assert "/api/notices/" in schema["paths"] and "/api/notices/{id}/" in schema["paths"]
    listing = schema["paths"]["/api/notices/"]
    assert set(listing) == {"get"}
    names = {p["name"] for p in listing["get"]["parameters"]}
    assert {"category", "q", "page", "page_size"} <= names
    assert set(schema["paths"]["/api/notices/{id}/"]) == {"get"}
    detail = schema["components"]["schemas"]["NoticeDetail"]["properties"]
    assert {"body", "attachments", "expired", "url", "category", "pinned"} <= set(detail)


def test_api_root_links_the_notices(client):
    assert (
        client.get("/api/", HTTP_ACCEPT="application/json")
        .json()["notices"]
        .endswith("/api/notices/")
    )


# --- Wagtail's page API ---------------------------------------------------------------------


def test_wagtail_pages_api_exposes_notice_fields(client, notice_index, document):
    notice = make_notice(
        notice_index,
        "低保申请",
        summary="三月底前办理。",
        body="<p>请携带户口簿。</p>",
        category=categories.POLICY,
        pinned=True,
    )
    attach(notice, document, title="申请表")
    data = client.get(f"/api/v2/pages/{notice.pk}/").json()
    assert data["category"] == "policy" and data["category_label"] in ("Policy", "政策")
    assert data["summary"] == "三月底前办理。"
    assert "请携带户口簿。" in data["body"]
    assert data["pinned"] is True
    assert data["attachments"][0]["title"] == "申请表"
    assert data["attachments"][0]["url"].endswith(document.url)
    listing = client.get(
        "/api/v2/pages/", {"type": "notices.NoticePage", "fields": "category,summary,pinned"}
    ).json()
    assert listing["items"][0]["category"] == "policy"
    assert "search_text" not in data
