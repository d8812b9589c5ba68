"""Job postings: written by staff, published through the committee's moderation, listed
on the job board while open, and gone from every list once their closing date passes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from anju.notices.workflow import WORKFLOW_NAME
from plugins.employment.models import JobPostingPage, open_postings

from .conftest import make_posting

pytestmark = pytest.mark.django_db


def add_url(board):
    return reverse("wagtailadmin_pages:add", args=["employment", "jobpostingpage", board.pk])


def posting_form(action="action-submit", **extra):
    closing = timezone.localdate() + datetime.timedelta(days=20)
    data = {
        "title": "电子厂普工",
        "slug": "electronics",
        "employer": "宁波华瑞电子有限公司",
        "openings": "50",
        "pay_min": "4500",
        "pay_max": "6500",
        "place": "away",
        "place_detail": "浙江省宁波市",
        "working_hours": "两班倒",
        "requirements": "18–45岁，身体健康。",
        "benefits": "包吃住",
        "contact": "陈老师 0851-2345678",
        "closing_date": closing.isoformat(),
        "drive": "",
        "comments": inline_formset([]),
        action: action,
    }
    data.update(extra)
    form = nested_form_data(data)
    form["tags"] = ["board", "training"]  # nested_form_data would number a list
    return form


def approve_url(page, action="approve"):
    state = page.current_workflow_state.current_task_state
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, state.pk])


def test_the_job_board_is_moderated_by_the_committee(board):
    workflow = board.get_workflow()
    assert workflow is not None and workflow.name == WORKFLOW_NAME


@pytest.mark.parametrize("writer", ["service_staff", "grid_worker"])
def test_a_posting_is_submitted_then_approved_by_the_committee(client, world, board, writer):
    client.force_login(world.users[writer])
    response = client.post(add_url(board), posting_form())
    assert response.status_code == 302, response.context and response.context["form"].errors
    posting = JobPostingPage.objects.get(slug="electronics")
    assert not posting.live and posting.current_workflow_state is not None
    assert posting.tags == ["board", "training"]
    client.logout()
    assert client.get("/jobs/electronics/").status_code == 404
    assert "电子厂普工" not in client.get("/jobs/").content.decode()

    client.force_login(world.users["committee"])
    assert client.post(approve_url(posting)).status_code in (200, 302)
    posting.refresh_from_db()
    assert posting.live
    client.logout()
    page = client.get("/jobs/electronics/").content.decode()
    assert "宁波华瑞电子有限公司" in page and "4500–6500" in page
    assert "电子厂普工" in client.get("/jobs/").content.decode()


def test_a_writer_cannot_publish_directly(client, world, board):
    client.force_login(world.users["grid_worker"])
    client.post(add_url(board), posting_form(action="action-publish"))
    posting = JobPostingPage.objects.filter(slug="electronics").first()
    assert posting is None or not posting.live


def test_bad_pay_range_is_refused_with_a_message(client, world, board):
    client.force_login(world.users["committee"])
    response = client.post(add_url(board), posting_form(pay_min="8000", pay_max="3000"))
    assert response.status_code == 200
    assert "pay_max" in response.context["form"].errors
    assert not JobPostingPage.objects.exists()


def test_a_closed_posting_leaves_the_lists_but_its_page_says_closed(client, world, board):
    open_one = make_posting(board, "家政服务员")
    closed = make_posting(board, "采茶工", days=-1)
    assert list(open_postings()) == [open_one]
    listing = client.get("/jobs/").content.decode()
    assert "家政服务员" in listing and "采茶工" not in listing
    assert "采茶工" not in client.get(reverse("employment:index")).content.decode()
    page = client.get(closed.url)
    assert page.status_code == 200
    assert "该岗位已截止招聘" in page.content.decode()  # zh-hans by default
    assert "我感兴趣" not in page.content.decode()
    # The closing date is compared when asked: yesterday's open posting closes today.
    JobPostingPage.objects.filter(pk=open_one.pk).update(
        closing_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert not open_postings().exists()
    assert "家政服务员" not in client.get("/jobs/").content.decode()


def test_the_board_filters_by_place_pay_and_tag(client, world, board):
    make_posting(board, "缝纫工", place="local", pay_max=4000, tags=["women"])
    make_posting(board, "钢筋工", place="away", pay_max=9000, tags=["board"])
    make_posting(board, "采茶工", place="local", pay_min=None, pay_max=None, tags=["older"])

    def titles(**params):
        html = client.get("/jobs/", params).content.decode()
        return {t for t in ("缝纫工", "钢筋工", "采茶工") if t in html}

    assert titles() == {"缝纫工", "钢筋工", "采茶工"}
    assert titles(place="away") == {"钢筋工"}
    assert titles(pay="5000") == {"钢筋工", "采茶工"}  # pay by agreement is shown
    assert titles(tag="women") == {"缝纫工"}
    assert titles(place="nowhere", pay="abc") == {"缝纫工", "钢筋工", "采茶工"}  # ignored


def test_chinese_search_finds_words_inside_sentences(client, world, board):
    make_posting(
        board, "物流分拣员", employer="县电商物流园", requirements="能适应夜班，会用手持扫码枪。"
    )
    make_posting(board, "缝纫工", requirements="会使用工业缝纫机。")
    html = client.get("/jobs/", {"q": "扫码"}).content.decode()
    assert "物流分拣员" in html and "缝纫工" not in html
    html = client.get("/jobs/", {"q": "缝纫机"}).content.decode()
    assert "缝纫工" in html and "物流分拣员" not in html
    html = client.get("/jobs/", {"q": "！！"}).content.decode()
    assert "缝纫工" not in html


def test_postings_are_readable_without_an_account_and_through_the_page_api(client, world, board):
    posting = make_posting(board, "社区保洁员", tags=["older"])
    assert client.get(posting.url).status_code == 200
    response = client.get("/api/v2/pages/", {"type": "employment.JobPostingPage", "fields": "*"})
    assert response.status_code == 200
    item = response.json()["items"][0]
    assert item["employer"] == "鑫达服饰" and item["tags"] == ["older"]
