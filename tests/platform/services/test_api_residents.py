"""The services API, residents' side: listing forms, filing (idempotent, validated in
the request's language, uploads checked, rate limited), tracking and one's own cases."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from anju.community.models import Household
from anju.services import uploads, workflow
from anju.services.models import Case, CaseEvent, Service, ServiceField, Status
from anju.services.submission import format_reference

from .conftest import answers_for, file_case

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident"]
ANONYMOUS = "anonymous"
FORMS = "/api/services/forms/"
TRACK = "/api/services/track/"
MINE = "/api/services/my-cases/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def client_for(world, role, **kwargs):
    client = APIClient(**kwargs)
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


def zh(message, **params):
    with translation.override("zh-hans"):
        text = gettext(message)
    return text % params if params else text


def submit_url(service):
    return f"{FORMS}{service.slug}/submit/"


def body(service, name="王小明", phone="13812345678", **answers):
    return {**answers_for(service, **answers), "requester_name": name, "requester_phone": phone}


def field_named(service, label):
    return next(f["name"] for f in service.current_version.fields if f["label"] == label)


# --- forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_everyone_lists_the_forms_they_can_file(world, built_service, role):
    response = client_for(world, role).get(FORMS)
    assert response.status_code == 200
    (form,) = [f for f in response.json() if f["slug"] == "repair"]
    assert form["title"] == "报修" and form["allow_anonymous"] is True
    assert [f["label"] for f in form["fields"]] == ["什么坏了", "详细情况", "紧急程度", "照片"]
    choice = form["fields"][2]
    assert choice["type"] == "choice" and choice["required"] is True
    assert [c["value"] for c in choice["choices"]] == ["一般", "紧急"]
    photo = form["fields"][3]
    assert photo["type"] == "file" and "png" in photo["accept"] and photo["max_bytes"] > 0


def test_closed_and_versionless_services_are_not_listed(world, built_service, client):
    Service.objects.create(title="草稿", slug="draft", community=world.community)  # no version
    built_service.is_active = False
    built_service.save()
    slugs = [f["slug"] for f in APIClient().get(FORMS).json()]
    assert "repair" not in slugs and "draft" not in slugs
    assert APIClient().get(f"{FORMS}repair/").status_code == 404
    assert APIClient().post(submit_url(built_service), {}, format="json").status_code == 404


@pytest.fixture
def household_service(world):
    service = Service.objects.create(title="门牌", slug="doorplate", community=world.community)
    ServiceField.objects.create(
        service=service, sort_order=0, label="哪一户", field_type="household", required=False
    )
    service.snapshot()
    return service


@pytest.mark.parametrize(
    ("role", "households"),
    [
        (ANONYMOUS, set()),
        ("resident", set()),
        ("grid_worker", {"household1"}),
        ("committee", {"household1", "household2"}),
    ],
)
def test_household_choices_only_for_those_who_may_see_them(
    world, household_service, role, households
):
    response = client_for(world, role).get(f"{FORMS}doorplate/")
    assert response.status_code == 200
    (field,) = response.json()["fields"]
    assert field["type"] == "household"
    expected = {str(getattr(world, name).pk) for name in households}
    assert {c["value"] for c in field["choices"]} == expected


def test_a_plugins_code_defined_form_is_listed_and_filed(world):
    from anju.plugins.registry import contributions
    from anju.services.submission import service_for_code_form
    from tests.dummy_plugin.models import Thing

    spec = next(c.item for c in contributions("service_forms") if c.item.slug == "thing")
    service = service_for_code_form("dummy_plugin", spec)
    client = APIClient()
    (form,) = [f for f in client.get(FORMS).json() if f["slug"] == service.slug]
    assert [f["name"] for f in form["fields"]] == ["name", "how_many"]
    assert form["fields"][1]["type"] == "number"
    response = client.post(
        submit_url(service),
        {"name": "梯子", "how_many": 2, "requester_name": "王", "requester_phone": "13812345678"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.service == service and case.data["name"] == "梯子"
    assert Thing.objects.filter(name="梯子").exists()  # the plugin's hook ran


# --- submitting ----------------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_everyone_may_file_a_request(world, built_service, role):
    response = client_for(world, role).post(
        submit_url(built_service), body(built_service), format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    case = Case.objects.get(reference=data["reference"])
    assert data["reference_display"] == format_reference(case.reference)
    assert data["status"] == "submitted" and data["status_label"] == zh("Submitted")
    assert data["reference_display"] in data["tracking"]
    assert "requester_phone" not in data
    expected_user = None if role == ANONYMOUS else world.users[role]
    assert case.requester_user == expected_user
    assert case.requester_phone == "13812345678"


def test_a_multipart_submission_with_a_photo(world, built_service):
    photo = field_named(built_service, "照片")
    data = body(built_service)
    data[photo] = SimpleUploadedFile("leak.png", PNG, content_type="image/png")
    response = APIClient().post(submit_url(built_service), data, format="multipart")
    assert response.status_code == 201, response.json()
    case = Case.objects.get(reference=response.json()["reference"])
    (attachment,) = case.attachments.all()
    assert attachment.name == "leak.png" and attachment.public


def test_the_same_key_twice_makes_one_case(world, built_service):
    client = APIClient()
    url = submit_url(built_service)
    first = client.post(url, body(built_service), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url, body(built_service), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["reference"] == again.json()["reference"]
    assert Case.objects.count() == 1
    # The key in the body works the same way.
    in_body = client.post(url, {**body(built_service), "idempotency_key": "k-1"}, format="json")
    assert in_body.status_code == 200 and in_body.json()["reference"] == first.json()["reference"]
    other_key = client.post(url, body(built_service), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other_key.status_code == 201
    assert other_key.json()["reference"] != first.json()["reference"]
    # Another person reusing the key gets a case of their own, never the first one.
    other_phone = client.post(
        url, body(built_service, phone="13987654321"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other_phone.status_code == 201
    assert other_phone.json()["reference"] not in {
        first.json()["reference"],
        other_key.json()["reference"],
    }
    assert Case.objects.count() == 3


def test_an_overlong_idempotency_key_is_refused(world, built_service):
    response = APIClient().post(
        submit_url(built_service), body(built_service), format="json", HTTP_IDEMPOTENCY_KEY="x" * 65
    )
    assert response.status_code == 400 and "idempotency_key" in response.json()
    assert not Case.objects.exists()


def test_field_errors_are_in_chinese_by_default(world, built_service):
    what = field_named(built_service, "什么坏了")
    urgency = field_named(built_service, "紧急程度")
    data = body(built_service, phone="123")
    del data[what]
    data[urgency] = "不存在的选项"
    response = APIClient().post(
        submit_url(built_service), data, format="json", HTTP_ACCEPT_LANGUAGE=""
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors[what] == [zh("This field is required.")]
    assert all("\u4e00" <= ch <= "\u9fff" for ch in errors[what][0].rstrip("。"))
    assert set(errors) == {what, urgency, "requester_phone"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors[urgency])
    assert not Case.objects.exists()


def test_field_errors_follow_an_api_clients_language(world, built_service):
    data = body(built_service)
    del data["requester_name"]
    response = APIClient().post(
        submit_url(built_service), data, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {"requester_name": ["This field is required."]}


@pytest.mark.parametrize("payload", [["a", "list"], "text", 3])
def test_a_body_that_is_not_an_object_is_a_400(world, built_service, payload):
    response = APIClient().post(submit_url(built_service), payload, format="json")
    assert response.status_code == 400


def test_odd_json_values_are_field_errors_not_500s(world, built_service):
    what = field_named(built_service, "什么坏了")
    urgency = field_named(built_service, "紧急程度")
    data = body(built_service)
    data[what] = {"nested": True}
    data[urgency] = ["一般"]
    response = APIClient().post(submit_url(built_service), data, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {what, urgency}


@pytest.mark.parametrize(
    ("name", "content", "size_limit"),
    [
        ("big.png", PNG + b"\0" * 400, 200),  # too large
        ("run.exe", b"MZ" + b"\0" * 20, None),  # a kind we do not take
        ("fake.png", b"GIF89a" + b"\0" * 20, None),  # not what its name says
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_saved(
    world, built_service, settings, name, content, size_limit
):
    if size_limit:
        settings.SERVICES_MAX_UPLOAD_BYTES = size_limit
    photo = field_named(built_service, "照片")
    data = body(built_service)
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    data[photo] = upload
    response = APIClient().post(submit_url(built_service), data, format="multipart")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [photo]
    with translation.override("zh-hans"):
        with pytest.raises(Exception) as refused:
            uploads.validate_upload(SimpleUploadedFile(name, content))
    assert errors[photo] == list(refused.value.messages)
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_a_service_for_account_holders_refuses_anonymous_requests(world, built_service):
    built_service.allow_anonymous = False
    built_service.save()
    response = APIClient().post(submit_url(built_service), body(built_service), format="json")
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == zh(
        "Sign in to make this request: it is not taken from people without an account."
    )
    assert not Case.objects.exists()
    listed = APIClient().get(f"{FORMS}repair/").json()
    assert listed["allow_anonymous"] is False
    signed_in = client_for(world, "resident").post(
        submit_url(built_service), body(built_service), format="json"
    )
    assert signed_in.status_code == 201


def test_signed_in_submissions_need_the_csrf_token(world, built_service):
    client = client_for(world, "resident", enforce_csrf_checks=True)
    response = client.post(submit_url(built_service), body(built_service), format="json")
    assert response.status_code == 403
    assert not Case.objects.exists()
    # Without a session there is nothing to forge: residents without an account file.
    anonymous = APIClient(enforce_csrf_checks=True)
    assert (
        anonymous.post(submit_url(built_service), body(built_service), format="json").status_code
        == 201
    )


def test_submitting_is_rate_limited(world, built_service, settings):
    from django.core.cache import cache

    cache.clear()
    settings.SERVICES_API_SUBMIT_RATE = "2/min"
    client = APIClient()
    url = submit_url(built_service)
    assert client.post(url, body(built_service), format="json").status_code == 201
    assert client.post(url, body(built_service), format="json").status_code == 201
    response = client.post(url, body(built_service), format="json")
    assert response.status_code == 429
    assert response.json()["detail"].startswith(
        zh("Too many requests from here. Please wait a while and try again.")
    )
    assert Case.objects.count() == 2
    # Listing the forms is not limited.
    assert client.get(FORMS).status_code == 200


# --- tracking ------------------------------------------------------------------------


@pytest.fixture
def worked_case(world, case_in_grid1):
    """A case accepted with a staff note, a staff-only comment and a public reply."""
    worker = world.users["grid_worker"]
    workflow.transition(case_in_grid1, Status.ACCEPTED, worker, note="内部备注：户主脾气急")
    workflow.comment(case_in_grid1, worker, "只给工作人员看的话")
    workflow.comment(case_in_grid1, worker, "师傅明天上午到", public=True)
    workflow.comment(
        case_in_grid1,
        worker,
        "",
        files=[SimpleUploadedFile("内部.png", PNG, content_type="image/png")],
    )
    return case_in_grid1


STAFF_ONLY = ("内部备注", "只给工作人员看的话", "内部.png")


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_tracking_shows_only_what_is_public(world, worked_case, role):
    response = client_for(world, role).post(
        TRACK, {"reference": format_reference(worked_case.reference), "phone_last4": "5678"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["reference"] == worked_case.reference
    assert data["service_title"] == "报修"
    assert data["status"] == "accepted" and data["status_label"] == zh("Accepted")
    assert data["rejection_reason"] == ""
    assert [e["kind"] for e in data["events"]] == ["filed", "status", "comment"]
    assert data["events"][-1]["text"] == "师傅明天上午到"
    assert data["attachments"] == []
    text = str(data)
    assert not any(secret in text for secret in STAFF_ONLY)
    assert "13812345678" not in text and "grid" not in data and "assignee" not in data


def test_tracking_a_rejected_case_says_why(world, case_in_grid1):
    workflow.transition(
        case_in_grid1, Status.REJECTED, world.users["grid_worker"], reason="不属于本社区"
    )
    data = (
        APIClient()
        .post(TRACK, {"reference": case_in_grid1.reference, "phone_last4": "5678"}, format="json")
        .json()
    )
    assert data["status"] == "rejected" and data["rejection_reason"] == "不属于本社区"


def test_wrong_numbers_get_one_message_and_nothing_else(world, case_in_grid1, case_in_grid2):
    client = APIClient()
    wrong_digits = client.post(TRACK, {"reference": case_in_grid1.reference, "phone_last4": "4321"})
    other_case_digits = client.post(
        TRACK, {"reference": case_in_grid1.reference, "phone_last4": case_in_grid2.phone_last4}
    )
    no_such_case = client.post(TRACK, {"reference": "99999999", "phone_last4": "5678"})
    for response in (wrong_digits, other_case_digits, no_such_case):
        assert response.status_code == 404
        assert response.json() == {
            "detail": zh("No request matches that reference number and phone number.")
        }


def test_malformed_tracking_input_is_a_400(world):
    response = APIClient().post(TRACK, {"reference": "12", "phone_last4": "ab"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"reference", "phone_last4"}


def test_tracking_is_rate_limited(world, case_in_grid1, settings):
    settings.SERVICES_API_TRACK_RATE = "3/min"
    client = APIClient()
    for _ in range(3):
        client.post(TRACK, {"reference": case_in_grid1.reference, "phone_last4": "0000"})
    response = client.post(TRACK, {"reference": case_in_grid1.reference, "phone_last4": "5678"})
    assert response.status_code == 429
    assert response.json()["detail"].startswith(
        zh("Too many tries. Please wait a while and try again.")
    )
    assert "events" not in response.json()


# --- my cases ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_my_cases_needs_an_account(world, built_service, role):
    response = client_for(world, role).get(MINE)
    assert response.status_code == (401 if role == ANONYMOUS else 200)


def test_my_cases_are_mine_only_and_public_only(world, built_service, worked_case):
    resident = world.users["resident"]
    mine = file_case(built_service, household=world.household1, user=resident, phone="13700001111")
    workflow.comment(mine, world.users["grid_worker"], "内部备注：不要告诉他")
    workflow.comment(mine, world.users["grid_worker"], "已派人", public=True)
    client = client_for(world, "resident")
    data = client.get(MINE).json()
    assert data["count"] == 1
    (item,) = data["results"]
    assert item["reference"] == mine.reference
    assert [e["text"] for e in item["events"]] == ["", "已派人"]
    assert "内部备注" not in str(data) and "13700001111" not in str(data)
    detail = client.get(f"{MINE}{mine.reference}/")
    assert detail.status_code == 200 and detail.json()["reference"] == mine.reference
    # Someone else's case does not exist here.
    assert client.get(f"{MINE}{worked_case.reference}/").status_code == 404


def test_my_cases_run_a_constant_number_of_queries(world, built_service):
    resident = world.users["resident"]
    client = client_for(world, "resident")

    def count():
        client.get(MINE)  # warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(MINE)
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    for _ in range(2):
        case = file_case(built_service, household=world.household1, user=resident)
        workflow.comment(case, world.users["grid_worker"], "回复", public=True)
    two, n = count()
    assert n == 2
    for _ in range(10):
        case = file_case(built_service, household=world.household1, user=resident)
        workflow.comment(case, world.users["grid_worker"], "回复", public=True)
    twelve, n = count()
    assert n == 12
    assert two == twelve


def test_household_is_resolved_for_a_staff_filed_answer(world, household_service):
    """A grid worker filing with a household field: the case lands in that grid."""
    field = household_service.current_version.fields[0]["name"]
    client = client_for(world, "grid_worker")
    response = client.post(
        submit_url(household_service),
        {field: world.household1.pk, "requester_name": "王", "requester_phone": "13812345678"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.household == world.household1 and case.grid == world.grid1
    # Another grid's household is not a choice for them.
    refused = client.post(
        submit_url(household_service),
        {field: world.household2.pk, "requester_name": "王", "requester_phone": "13812345678"},
        format="json",
    )
    assert refused.status_code == 400 and field in refused.json()
    assert Household.objects.count() == 2
