"""The case page: answers as filed, attachments behind the visibility check, the whole
timeline with staff-only notes marked, and every action through the workflow — with
bad input answered by a message and a 400, never a 500, and nothing saved lost."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anju.services import workflow
from anju.services.models import CaseAttachment, CaseEvent, Level, Status

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%..."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def case_url(name, case):
    return reverse(name, args=[case.pk])


def messages_of(response, level="error"):
    return [str(m) for m in response.context["messages"] if m.level_tag == level]


def test_the_page_shows_answers_the_timeline_and_marks_staff_notes(world, client, case_in_grid1):
    worker = world.users["grid_worker"]
    workflow.comment(case_in_grid1, worker, "内部备注：先联系物业", public=False)
    workflow.comment(case_in_grid1, worker, "已派人上门", public=True)
    client.force_login(world.users["committee"])
    response = client.get(case_url("anju_case", case_in_grid1))
    html = response.content.decode()
    assert response.status_code == 200
    assert "什么坏了" in html and "水管漏水" in html  # label and answer as filed
    assert "内部备注：先联系物业" in html and "已派人上门" in html
    assert 'data-event="comment" data-public="0" class="anju-staff-only"' in html
    assert "138****5678" in html and "13812345678" not in html


def test_accept_start_resolve_and_close_by_follow_up(world, client, case_in_grid1):
    client.force_login(world.users["grid_worker"])
    for to in (Status.ACCEPTED, Status.IN_PROGRESS, Status.RESOLVED):
        response = client.post(case_url("anju_case_transition", case_in_grid1), {"to": to})
        assert response.status_code == 302
    case_in_grid1.refresh_from_db()
    assert case_in_grid1.status == Status.RESOLVED
    page = client.get(case_url("anju_case", case_in_grid1)).content.decode()
    assert 'data-form="follow-up"' in page
    response = client.post(
        case_url("anju_case_follow_up", case_in_grid1),
        {"settled": "yes", "satisfaction": "4", "note": "居民满意"},
    )
    assert response.status_code == 302
    case_in_grid1.refresh_from_db()
    assert case_in_grid1.status == Status.CLOSED and case_in_grid1.satisfaction == 4


def test_an_unsettled_follow_up_sends_the_case_back_to_work(world, client, case_in_grid1):
    worker = world.users["grid_worker"]
    workflow.transition(case_in_grid1, Status.ACCEPTED, worker)
    workflow.transition(case_in_grid1, Status.RESOLVED, worker)
    client.force_login(worker)
    response = client.post(case_url("anju_case_follow_up", case_in_grid1), {"settled": "no"})
    assert response.status_code == 302
    case_in_grid1.refresh_from_db()
    assert case_in_grid1.status == Status.IN_PROGRESS


def test_rejecting_without_a_reason_is_refused_with_a_message(world, client, case_in_grid1):
    client.force_login(world.users["grid_worker"])
    response = client.post(
        case_url("anju_case_transition", case_in_grid1), {"to": Status.REJECTED, "reason": "  "}
    )
    assert response.status_code == 400
    assert messages_of(response)
    assert "reason" in response.context["reject_form"].errors
    case_in_grid1.refresh_from_db()
    assert case_in_grid1.status == Status.SUBMITTED
    response = client.post(
        case_url("anju_case_transition", case_in_grid1),
        {"to": Status.REJECTED, "reason": "不属于本社区"},
    )
    assert response.status_code == 302
    case_in_grid1.refresh_from_db()
    assert case_in_grid1.status == Status.REJECTED
    assert case_in_grid1.rejection_reason == "不属于本社区"


@pytest.mark.parametrize("to", [Status.RESOLVED, Status.CLOSED, Status.IN_PROGRESS, "nonsense"])
def test_an_illegal_transition_is_a_400_with_the_reason(world, client, case_in_grid1, to):
    client.force_login(world.users["grid_worker"])
    response = client.post(
        case_url("anju_case_transition", case_in_grid1), {"to": to, "note": "试一下"}
    )
    assert response.status_code == 400
    assert messages_of(response)
    # What was typed is still there.
    assert response.context["transition_form"]["note"].value() == "试一下"
    case_in_grid1.refresh_from_db()
    assert case_in_grid1.status == Status.SUBMITTED
    assert case_in_grid1.events.count() == 1


def test_escalating_with_a_note(world, client, case_in_grid1):
    client.force_login(world.users["grid_worker"])
    response = client.post(
        case_url("anju_case_transition", case_in_grid1),
        {"to": Status.ESCALATED, "note": "涉及多户，需社区协调"},
    )
    assert response.status_code == 302
    case_in_grid1.refresh_from_db()
    assert case_in_grid1.level == Level.COMMUNITY
    assert case_in_grid1.assignee == world.users["committee"]
    assert case_in_grid1.events.filter(kind=CaseEvent.Kind.ESCALATED, public=True).exists()
    # The note is the staff's own: recorded, but never shown to the resident.
    note = case_in_grid1.events.get(kind=CaseEvent.Kind.COMMENT)
    assert note.text == "涉及多户，需社区协调" and note.public is False
    # Once at community level there is nowhere higher: no escalate button.
    page = client.get(case_url("anju_case", case_in_grid1)).content.decode()
    assert 'value="escalated"' not in page


def test_a_comment_with_a_file_and_its_download(world, client, case_in_grid1):
    client.force_login(world.users["grid_worker"])
    upload = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    response = client.post(
        case_url("anju_case_comment", case_in_grid1),
        {"text": "现场照片", "public": "on", "file": upload},
    )
    assert response.status_code == 302
    attachment = CaseAttachment.objects.get(case=case_in_grid1)
    assert attachment.public and attachment.name == "现场.png"
    url = reverse("anju_case_attachment", args=[case_in_grid1.pk, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PNG
    # Out of sight, out of reach: grid 1's file is not grid 2's case's, nor anyone's
    # who may not see grid 1.
    client.force_login(world.users["service_staff"])
    assert client.get(url).status_code == 404


def test_an_attachment_is_only_reached_through_its_own_case(
    world, client, case_in_grid1, case_in_grid2
):
    attachment = workflow.add_attachment(
        case_in_grid2, SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    )
    client.force_login(world.users["grid_worker"])
    url = reverse("anju_case_attachment", args=[case_in_grid1.pk, attachment.pk])
    assert client.get(url).status_code == 404
    url = reverse("anju_case_attachment", args=[case_in_grid2.pk, attachment.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "size_limit"),
    [
        ("big.pdf", PDF + b"x" * 2000, 1000),  # too large
        ("run.exe", b"MZ\x90\x00", None),  # a kind we do not take
        ("photo.png", b"not really a png", None),  # content does not match the name
    ],
    ids=["oversize", "wrong-type", "disguised"],
)
def test_a_bad_upload_is_refused_and_the_text_kept(
    world, client, settings, case_in_grid1, name, content, size_limit
):
    if size_limit:
        settings.SERVICES_MAX_UPLOAD_BYTES = size_limit
    client.force_login(world.users["grid_worker"])
    response = client.post(
        case_url("anju_case_comment", case_in_grid1),
        {"text": "请看附件", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    form = response.context["comment_form"]
    assert "file" in form.errors
    assert form["text"].value() == "请看附件"
    assert not CaseAttachment.objects.exists()
    assert case_in_grid1.events.count() == 1


def test_an_empty_comment_is_refused(world, client, case_in_grid1):
    client.force_login(world.users["grid_worker"])
    response = client.post(case_url("anju_case_comment", case_in_grid1), {"text": " "})
    assert response.status_code == 400
    assert case_in_grid1.events.count() == 1


def test_the_committee_reassigns_to_an_eligible_person_only(world, client, case_in_grid1):
    client.force_login(world.users["committee"])
    response = client.post(
        case_url("anju_case_assign", case_in_grid1), {"assignee": world.users["resident_rep"].pk}
    )
    assert response.status_code == 400  # not a choice: representatives do not hold cases
    response = client.post(
        case_url("anju_case_assign", case_in_grid1), {"assignee": world.users["committee"].pk}
    )
    assert response.status_code == 302
    case_in_grid1.refresh_from_db()
    assert case_in_grid1.assignee == world.users["committee"]


def test_a_follow_up_is_refused_on_an_open_case(world, client, case_in_grid1):
    client.force_login(world.users["grid_worker"])
    response = client.post(
        case_url("anju_case_follow_up", case_in_grid1), {"settled": "yes", "satisfaction": "9"}
    )
    assert response.status_code == 400
    response = client.post(case_url("anju_case_follow_up", case_in_grid1), {"settled": "yes"})
    assert response.status_code == 400
    assert messages_of(response)
    case_in_grid1.refresh_from_db()
    assert case_in_grid1.status == Status.SUBMITTED


def test_actions_are_post_only(world, client, case_in_grid1):
    client.force_login(world.users["committee"])
    assert client.get(case_url("anju_case_transition", case_in_grid1)).status_code == 405
