"""The portal side of the services engine: a staff-built form published as a page,
following a request by reference number and phone, and a signed-in resident's own
requests — in both languages."""

import re

import pytest
from django.test import Client, override_settings

from anju.services import workflow
from anju.services.models import Case, ServiceFormPage, Status
from anju.services.submission import format_reference

from .conftest import file_case

KEY = re.compile(r'name="requester-idempotency_key" value="([0-9a-f]+)"')


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def form_page(world, built_service):
    from anju.portal.site import ensure_home_page

    home = ensure_home_page()
    return home.add_child(
        instance=ServiceFormPage(
            title="我要报修",
            slug="repair",
            service=built_service,
            intro="家里东西坏了，在这里告诉我们。",
            thank_you="网格员会尽快联系您。",
        )
    )


def fields_of(service) -> dict[str, str]:
    """{label: field name} of the service's current version."""
    return {spec["label"]: spec["name"] for spec in service.current_version.fields}


def valid_post(service, key="key-0001", **extra):
    names = fields_of(service)
    data = {
        names["什么坏了"]: "厨房水管",
        names["详细情况"]: "水管接口一直滴水",
        names["紧急程度"]: "紧急",
        "requester-requester_name": "王小明",
        "requester-requester_phone": "13812345678",
        "requester-idempotency_key": key,
    }
    data.update(extra)
    return data


def text(response) -> str:
    return response.content.decode()


# --- the form page --------------------------------------------------------------------


@override_settings(PORTAL_CACHE_SECONDS=300)
def test_the_form_renders_for_anonymous_visitors_and_is_cached_without_a_token(client, form_page):
    first = client.get("/repair/")
    assert first.status_code == 200
    body = text(first)
    assert 'enctype="multipart/form-data"' in body
    for label in ("什么坏了", "详细情况", "紧急程度", "照片"):
        assert label in body
    assert "家里东西坏了，在这里告诉我们。" in body
    # The same page for every anonymous visitor, so it is cached (issue 20): no CSRF
    # token and no one-time key in it; form_token.js fetches both.
    assert 'name="csrfmiddlewaretoken" value=""' in body and not KEY.search(body)
    assert not first.cookies
    second = Client().get("/repair/")
    assert second.status_code == 200 and second.get("X-Anju-Cache") == "hit"
    assert "private" not in second["Cache-Control"]
    # Each fetch of the token gives a key of its own.
    keys = {Client().get("/cases/form-token/").json()["key"] for _ in range(3)}
    assert len(keys) == 3


def test_a_valid_post_files_the_case_and_shows_its_reference(client, world, form_page):
    response = client.post("/repair/", valid_post(form_page.service))
    assert response.status_code == 200
    case = Case.objects.get()
    body = text(response)
    assert format_reference(case.reference) in body
    assert "网格员会尽快联系您。" in body  # the page's thank-you text
    assert case.requester_name == "王小明" and case.phone_last4 == "5678"
    assert dict(case.answers)["什么坏了"] == "厨房水管"
    assert case.requester_user is None and not case.on_behalf
    assert case.events.get().kind == "filed"


def test_a_signed_in_resident_files_under_their_account(client, world, form_page):
    resident = world.users["resident"]
    client.force_login(resident)
    assert client.post("/repair/", valid_post(form_page.service)).status_code == 200
    case = Case.objects.get()
    assert case.requester_user == resident and case.filed_by == resident and not case.on_behalf


def test_an_invalid_post_says_what_is_wrong_and_keeps_the_answers(client, form_page):
    names = fields_of(form_page.service)
    response = client.post(
        "/repair/",
        valid_post(
            form_page.service,
            **{names["什么坏了"]: "", "requester-requester_phone": "12345"},
        ),
    )
    assert response.status_code == 400
    body = text(response)
    assert 'class="form-errors"' in body and body.count('class="error"') >= 2
    assert "水管接口一直滴水" in body and "王小明" in body and "12345" in body
    assert re.search(r'<option value="紧急" selected>', body)
    assert not Case.objects.exists()
    form = response.context["form"]
    assert names["什么坏了"] in form.errors
    assert "requester_phone" in response.context["requester_form"].errors


def test_a_rejected_upload_is_named_in_the_errors(client, form_page):
    from django.core.files.uploadedfile import SimpleUploadedFile

    names = fields_of(form_page.service)
    upload = SimpleUploadedFile("virus.exe", b"MZ" + b"\x00" * 30)
    response = client.post("/en/repair/", {**valid_post(form_page.service), names["照片"]: upload})
    assert response.status_code == 400
    assert "virus.exe" in text(response) and "choose it again" in text(response)
    assert not Case.objects.exists()


def test_a_double_post_with_the_same_key_makes_one_case(client, form_page):
    first = client.post("/repair/", valid_post(form_page.service, key="double-tap"))
    second = client.post("/repair/", valid_post(form_page.service, key="double-tap"))
    assert first.status_code == second.status_code == 200
    case = Case.objects.get()
    assert format_reference(case.reference) in text(second)
    third = client.post("/repair/", valid_post(form_page.service, key="another-one"))
    assert third.status_code == 200 and Case.objects.count() == 2


def test_a_service_for_account_holders_sends_visitors_to_sign_in(client, world, form_page):
    service = form_page.service
    service.allow_anonymous = False
    service.save()
    for response in (client.get("/repair/"), client.post("/repair/", valid_post(service))):
        assert response.status_code == 302
        assert "next=/repair/" in response["Location"]
    assert not Case.objects.exists()
    client.force_login(world.users["resident"])
    assert client.get("/repair/").status_code == 200


def test_a_closed_service_is_not_offered(client, form_page):
    form_page.service.is_active = False
    form_page.service.save()
    assert client.get("/repair/").status_code == 404


@override_settings(SERVICES_SUBMIT_RATE="2/h")
def test_too_many_submissions_are_refused(client, form_page):
    for i in range(2):
        response = client.post("/repair/", valid_post(form_page.service, key=f"k{i}"))
        assert response.status_code == 200
    response = client.post("/en/repair/", valid_post(form_page.service, key="k3"))
    assert response.status_code == 429 and "Too many requests" in text(response)
    assert Case.objects.count() == 2


# --- following a request by its number ------------------------------------------------


@pytest.fixture
def worked_case(world, built_service):
    """A case with a public reply and a staff-only note."""
    worker = world.users["grid_worker"]
    case = file_case(built_service, household=world.household1)
    workflow.transition(case, Status.ACCEPTED, worker)
    workflow.comment(case, worker, "师傅明天上午上门维修", public=True)
    workflow.comment(case, worker, "该户曾多次投诉物业，注意沟通", public=False)
    return case


def test_tracking_shows_the_status_and_public_entries_only(client, worked_case):
    response = client.post(
        "/en/cases/track/",
        {"reference": format_reference(worked_case.reference), "phone_last4": "5678"},
    )
    assert response.status_code == 200
    body = text(response)
    assert format_reference(worked_case.reference) in body and "报修" in body
    assert "Accepted" in body  # the status, in the visitor's language
    assert "师傅明天上午上门维修" in body
    assert "该户曾多次投诉物业" not in body
    assert "13812345678" not in body and "水管漏水" not in body  # nothing private


def test_tracking_a_rejected_case_shows_the_reason(client, world, worked_case):
    Case.objects.filter(pk=worked_case.pk).update(status=Status.SUBMITTED)
    workflow.transition(
        worked_case, Status.REJECTED, world.users["grid_worker"], reason="请联系物业公司"
    )
    response = client.post(
        "/cases/track/", {"reference": worked_case.reference, "phone_last4": "5678"}
    )
    assert response.status_code == 200 and "请联系物业公司" in text(response)


def test_the_wrong_phone_digits_find_nothing(client, worked_case):
    response = client.post(
        "/en/cases/track/", {"reference": worked_case.reference, "phone_last4": "0000"}
    )
    assert response.status_code == 404
    body = text(response)
    assert "No request matches that reference number and phone number." in body
    assert "师傅明天上午上门维修" not in body
    # An unknown number gets the very same answer.
    response = client.post("/en/cases/track/", {"reference": "99999999", "phone_last4": "5678"})
    assert response.status_code == 404 and "No request matches" in text(response)


@pytest.mark.parametrize(
    "reference,last4",
    [
        ("1234", "5678"),
        ("", "5678"),
        ("12345678", "56a8"),
        ("12345678", "56"),
        ("1234567890", "5678"),
    ],
)
def test_a_malformed_lookup_is_a_bad_request(client, world, reference, last4):
    response = client.post("/en/cases/track/", {"reference": reference, "phone_last4": last4})
    assert response.status_code == 400
    assert 'class="error"' in text(response)


def test_the_tracking_form_is_offered_to_anyone(client, world):
    response = client.get("/cases/track/")
    assert response.status_code == 200 and "csrfmiddlewaretoken" in text(response)


@override_settings(SERVICES_TRACK_RATE="2/h")
def test_guessing_is_rate_limited(client, worked_case):
    for last4 in ("0001", "0002"):
        response = client.post(
            "/en/cases/track/", {"reference": worked_case.reference, "phone_last4": last4}
        )
        assert response.status_code == 404
    # The right digits, but too late: refused without looking.
    response = client.post(
        "/en/cases/track/", {"reference": worked_case.reference, "phone_last4": "5678"}
    )
    assert response.status_code == 429
    assert "Too many tries" in text(response) and "师傅明天上午上门维修" not in text(response)


@override_settings(SERVICES_TRACK_RATE="2/h")
def test_an_unknown_client_address_is_counted_not_a_500(worked_case, settings):
    """gunicorn on a Unix socket gives an empty REMOTE_ADDR; a balancer header that is
    not an address is not trusted. Neither breaks the page: such clients share a count."""
    settings.CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    anonymous = Client(REMOTE_ADDR="", HTTP_X_REAL_IP="not-an-address")
    answers = [
        anonymous.post(
            "/en/cases/track/", {"reference": worked_case.reference, "phone_last4": last4}
        ).status_code
        for last4 in ("0001", "0002", "0003")
    ]
    assert answers == [404, 404, 429]
    # A client the balancer names has a count of its own.
    named = Client(REMOTE_ADDR="", HTTP_X_REAL_IP="203.0.113.9")
    response = named.post(
        "/en/cases/track/", {"reference": worked_case.reference, "phone_last4": "5678"}
    )
    assert response.status_code == 200


def test_tracking_works_in_english(client, worked_case):
    page = client.get("/en/cases/track/")
    assert page.status_code == 200
    assert "Follow a request" in text(page) and 'lang="en"' in text(page)
    response = client.post(
        "/en/cases/track/", {"reference": worked_case.reference, "phone_last4": "5678"}
    )
    assert response.status_code == 200 and "Status:" in text(response)


# --- a resident's own requests --------------------------------------------------------


def test_my_requests_lists_only_my_own(client, world, built_service):
    resident = world.users["resident"]
    mine = file_case(built_service, user=resident, household=world.household1)
    theirs = file_case(
        built_service, household=world.household2, name="李大红", phone="13987654321"
    )
    other_account = file_case(built_service, user=world.users["committee"], phone="13900001111")
    client.force_login(resident)
    response = client.get("/cases/mine/")
    assert response.status_code == 200
    body = text(response)
    assert mine.reference in body
    assert theirs.reference not in body and other_account.reference not in body

    detail = client.get(f"/cases/mine/{mine.reference}/")
    assert detail.status_code == 200 and format_reference(mine.reference) in text(detail)
    for reference in (theirs.reference, other_account.reference, "00000000"):
        assert client.get(f"/cases/mine/{reference}/").status_code == 404


def test_my_requests_need_an_account(client, world):
    for url in ("/cases/mine/", "/cases/mine/12345678/"):
        response = client.get(url)
        assert response.status_code == 302 and "next=" in response["Location"]


def test_my_request_hides_staff_notes(client, world, built_service):
    resident = world.users["resident"]
    case = file_case(built_service, user=resident, household=world.household1)
    workflow.comment(case, world.users["grid_worker"], "内部备注：需核实", public=False)
    workflow.comment(case, world.users["grid_worker"], "已联系维修师傅", public=True)
    client.force_login(resident)
    body = text(client.get(f"/en/cases/mine/{case.reference}/"))
    assert "已联系维修师傅" in body and "内部备注" not in body
