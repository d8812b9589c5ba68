"""Chinese search: jieba segments notices when they are saved and queries when they are
asked, so a word inside a sentence is found. The same tests run on SQLite and, with
DATABASE_URL=postgres://..., on PostgreSQL."""

import pytest
from django.db import connection
from django.urls import reverse

from anju.notices import categories
from anju.notices.models import NoticePage
from anju.notices.queries import listed_notices
from anju.notices.search import (
    MAX_QUERY_LENGTH,
    MAX_QUERY_TERMS,
    html_to_text,
    query_terms,
    search_notices,
    search_text_for,
)

from .conftest import make_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(notice_index):
    return {
        "gas": make_notice(
            notice_index,
            "民生工程完工",
            body="<p>今年社区<b>为居民通上了天然气</b>，请注意用气安全。</p>",
            category=categories.PUBLIC_AFFAIRS,
        ),
        "dibao": make_notice(
            notice_index,
            "低保申请",
            summary="符合条件的家庭请于3月31日前到社区服务中心办理。",
            body="<p>请携带户口簿和身份证。</p>",
            category=categories.POLICY,
        ),
        "job": make_notice(
            notice_index,
            "招聘保洁员",
            body="<p>物业公司招聘两名保洁员。</p>",
            category=categories.EMPLOYMENT,
        ),
    }


def found(query, queryset=None):
    return {n.title for n in search_notices(query, queryset or listed_notices())}


# --- the segmented text ---------------------------------------------------------------------


def test_search_text_is_the_segmented_title_summary_and_body(notices):
    words = notices["gas"].search_text.split()
    assert {"民生", "工程", "居民", "天然气", "天然", "用气", "安全"} <= set(words)
    assert "<b>" not in notices["gas"].search_text and "，" not in words
    assert "低保" in notices["dibao"].search_text.split()


def test_search_text_follows_every_edit(notices):
    notice = notices["job"]
    notice.body = "<p>招聘电工一名。</p>"
    notice.save_revision().publish()
    notice.refresh_from_db()
    assert "电工" in notice.search_text.split()
    assert found("电工") == {"招聘保洁员"}
    assert found("物业公司") == set()


def test_html_to_text_keeps_paragraphs_apart():
    assert html_to_text("<p>天然</p><p>气</p>").split() == ["天然", "气"]
    assert html_to_text("<p>A&amp;B &lt;tag&gt;</p>").strip() == "A&B <tag>"
    assert search_text_for("", None, "") == ""


# --- finding notices ------------------------------------------------------------------------


def test_a_word_inside_a_sentence_is_found(notices):
    assert found("天然气") == {"民生工程完工"}


def test_a_word_of_the_title_is_found(notices):
    assert found("低保") == {"低保申请"}
    assert found("低保申请") == {"低保申请"}
    assert found("申请") == {"低保申请"}


def test_words_of_the_summary_are_found(notices):
    assert found("社区服务中心") == {"低保申请"}


def test_every_word_must_match_when_some_notice_has_them_all(notices):
    assert found("社区 天然气") == {"民生工程完工"}
    assert found("社区") == {"民生工程完工", "低保申请"}


def test_a_phrase_cut_differently_in_the_text_still_finds_it(notices):
    # jieba cuts the text's 3月31日前 differently from the query's 3月31日.
    assert "低保申请" in found("3月31日")


def test_queries_with_no_words_find_nothing(notices):
    for query in ("", "   ", "，。！？", "\"'*()-:^", None):
        assert found(query) == set()


def test_latin_words_and_digits_are_found(notice_index):
    make_notice(notice_index, "WiFi 覆盖", body="<p>小区已覆盖免费 WiFi，密码 2026anju。</p>")
    assert found("wifi") == {"WiFi 覆盖"}
    assert found("WIFI 覆盖") == {"WiFi 覆盖"}


def test_query_syntax_is_not_interpreted(notices):
    # FTS5 and tsquery operators in a query are only punctuation to us.
    for query in ('天然气" OR "低保', "天然气 & !低保", "天然气 NOT", "title:低保", "低保*"):
        found(query)  # never an error
    assert found("低保*") == {"低保申请"}


def test_very_long_queries_are_cut(notices):
    assert len(query_terms("天然气" * 500)) <= MAX_QUERY_TERMS
    assert found("天然气" * 500) == {"民生工程完工"}
    assert len(query_terms("低保 " + "x" * 5000)) <= MAX_QUERY_TERMS
    long_words = " ".join(f"词{n}" for n in range(200))
    assert len(query_terms(long_words)) == MAX_QUERY_TERMS


def test_search_respects_the_queryset_filters(notices, notice_index):
    make_notice(notice_index, "天然气草稿", body="<p>天然气</p>", publish=False)
    policy = listed_notices().filter(category=categories.POLICY)
    assert found("天然气", policy) == set()
    assert found("低保", policy) == {"低保申请"}
    assert found("天然气") == {"民生工程完工"}
    assert "天然气草稿" in found("天然气", NoticePage.objects.all())


# --- on the portal ------------------------------------------------------------------------------


def test_portal_search_finds_chinese_words(client, notices):
    response = client.get("/notices/", {"q": "天然气"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "民生工程完工" in html and "低保申请" not in html and "招聘保洁员" not in html
    assert 'value="天然气"' in html
    response = client.get("/notices/", {"q": "低保", "category": "policy"})
    assert [n.title for n in response.context["notices"]] == ["低保申请"]
    response = client.get("/notices/", {"q": "低保", "category": "safety"})
    assert list(response.context["notices"]) == []


@pytest.mark.parametrize("query", ["", "   ", "，。", "x" * 5000, "天然气" * 1000, "<script>"])
def test_portal_search_survives_any_query(client, notices, query):
    response = client.get("/notices/", {"q": query})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_portal_search_says_when_the_query_was_cut(client, notices):
    response = client.get("/notices/", {"q": "天然气" + "。" * MAX_QUERY_LENGTH})
    assert response.status_code == 200 and response.context["query_shortened"]
    assert "民生工程完工" in response.content.decode()


def test_portal_search_results_are_paginated(client, notice_index):
    from anju.notices.views import PER_PAGE

    for number in range(PER_PAGE + 2):
        make_notice(notice_index, f"停水通知{number}", body="<p>明日停水。</p>")
    first = client.get("/notices/", {"q": "停水"})
    assert first.context["paginator"].count == PER_PAGE + 2
    assert len(first.context["notices"]) == PER_PAGE
    assert "q=%E5%81%9C%E6%B0%B4&amp;page=2" in first.content.decode()
    second = client.get("/notices/", {"q": "停水", "page": 2})
    assert len(second.context["notices"]) == 2


def test_portal_search_is_not_cached(client, notices, settings):
    settings.PORTAL_CACHE_SECONDS = 300
    client.get("/notices/", {"q": "低保"})
    searched = client.get("/notices/", {"q": "低保"})
    assert "X-Anju-Cache" not in searched and "private" in searched["Cache-Control"]
    client.get("/notices/")
    assert client.get("/notices/")["X-Anju-Cache"] == "hit"


# --- in the admin --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["superuser", "committee", "grid_worker"])
def test_admin_page_search_finds_notices_by_chinese_words(client, world, notices, role):
    client.force_login(world.users[role])
    url = reverse("wagtailadmin_pages:search")
    for query, title in (
        ("天然气", "民生工程完工"),
        ("低保", "低保申请"),
        ("保洁员", "招聘保洁员"),
    ):
        response = client.get(url, {"q": query})
        assert response.status_code == 200
        html = response.content.decode()
        assert title in html, (query, role)


# --- on PostgreSQL -------------------------------------------------------------------------------


@pytest.mark.postgres
def test_search_runs_on_postgresql(notices):
    from wagtail.search.backends import get_search_backend

    assert connection.vendor == "postgresql"
    assert "Postgres" in type(get_search_backend()).__name__
    assert found("天然气") == {"民生工程完工"}
    assert found("低保") == {"低保申请"}


# --- several Chinese words in the admin (issue 18) -------------------------------------------


@pytest.fixture
def policy_notices(notice_index):
    return {
        "subsidy": make_notice(
            notice_index,
            "关于申领稳岗补贴的通知",
            body="<p>符合条件的企业可申领稳岗补贴。</p>",
            category=categories.POLICY,
        ),
        "gas": make_notice(
            notice_index,
            "入户检查通知",
            body="<p>燃气公司将上门检查燃气安全。</p>",
            category=categories.PUBLIC_AFFAIRS,
        ),
        "other": make_notice(
            notice_index,
            "社区文艺演出",
            body="<p>欢迎居民参加。</p>",
            category=categories.PUBLIC_AFFAIRS,
        ),
    }


@pytest.mark.parametrize("role", ["superuser", "committee", "grid_worker"])
@pytest.mark.parametrize(
    "query,title",
    [("稳岗补贴", "关于申领稳岗补贴的通知"), ("燃气安全", "入户检查通知")],
)
def test_admin_page_search_finds_multi_word_chinese_queries(
    client, world, policy_notices, role, query, title
):
    client.force_login(world.users[role])
    response = client.get(reverse("wagtailadmin_pages:search"), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert title in html
    assert "社区文艺演出" not in html


def test_the_backend_segments_chinese_queries_and_leaves_others():
    from anju.notices.search_backend import segmented

    assert segmented("稳岗补贴") == "稳岗 补贴"
    assert segmented("燃气安全") == "燃气 安全"
    assert segmented("hello world") == "hello world"


def test_the_portal_and_the_admin_agree(policy_notices):
    assert found("稳岗补贴") == {"关于申领稳岗补贴的通知"}
    assert found("燃气安全") == {"入户检查通知"}
