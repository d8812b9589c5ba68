"""Filing on a resident's behalf (代办) through the API: staff of the household's grid
only, recorded as such, and — as in the admin's filing form — only with proof of the
resident's consent (a code sent by SMS that they read back, or a photo of the
authorisation they signed), which the case then shows."""

import pytest

from anju.notify.models import Message, OneTimeCode
from anju.services.consent import CONSENT_TEMPLATE
from anju.services.models import Case, CaseConsent

from .conftest import answers_for
from .test_admin_file_and_figures import signed_authorisation

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _submit(client, service, *, multipart=False, **extra):
    data = {
        **answers_for(service),
        "requester_name": "王小明",
        "requester_phone": PHONE,
        **extra,
    }
    url = f"/api/services/forms/{service.slug}/submit/"
    if multipart:
        return client.post(url, data)
    return client.post(url, data, content_type="application/json")


def _send_code(client, service, phone=PHONE):
    return client.post(
        f"/api/services/forms/{service.slug}/consent-code/",
        {"phone": phone},
        content_type="application/json",
    )


def _code_sent(phone=PHONE) -> str:
    message = Message.objects.filter(template=CONSENT_TEMPLATE).latest("pk")
    assert message.phone == phone and message.channel == "sms"
    return message.payload["code"]


def _with_photo():
    return {"consent_method": "signed_photo", "consent_photo": signed_authorisation()}


def test_a_grid_worker_files_for_a_household_of_their_grid(world, built_service, client):
    worker = world.users["grid_worker"]
    client.force_login(worker)
    response = _submit(
        client,
        built_service,
        multipart=True,
        on_behalf_household=world.household1.pk,
        **_with_photo(),
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.on_behalf and case.filed_by == worker and case.requester_user is None
    assert case.household == world.household1 and case.grid == world.grid1
    assert case.events.get(kind="filed").text == "代办"


def test_the_resident_reads_back_the_code_and_the_case_shows_it(world, built_service, client):
    worker = world.users["grid_worker"]
    client.force_login(worker)
    response = _send_code(client, built_service)
    assert response.status_code == 202, response.content
    assert response.json()["phone_masked"] == "138****5678"
    code = _code_sent()
    response = _submit(
        client,
        built_service,
        on_behalf_household=world.household1.pk,
        consent_method="sms_code",
        consent_code=code,
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    consent = CaseConsent.objects.get(case=case)
    assert consent.method == "sms_code" and consent.phone_masked == "138****5678"
    assert consent.recorded_by == worker and consent.attachment is None
    # The API's case detail shows it to staff.
    detail = client.get(f"/api/services/cases/{case.reference}/").json()
    assert detail["consent"]["method"] == "sms_code"
    assert detail["consent"]["phone_masked"] == "138****5678"
    assert detail["consent"]["recorded_by"]["id"] == worker.pk
    assert "短信" in detail["consent"]["method_label"]


def test_a_signed_authorisation_is_a_staff_only_attachment_shown_on_the_case(
    world, built_service, client
):
    client.force_login(world.users["grid_worker"])
    response = _submit(
        client,
        built_service,
        multipart=True,
        on_behalf_household=world.household1.pk,
        **_with_photo(),
    )
    assert response.status_code == 201, response.content
    consent = CaseConsent.objects.get()
    assert consent.method == "signed_photo" and not consent.attachment.public
    detail = client.get(f"/api/services/cases/{consent.case.reference}/").json()
    assert detail["consent"]["attachment"] == consent.attachment.pk
    assert consent.attachment.pk in [a["id"] for a in detail["attachments"]]
    # The resident's own view of the case never lists it.
    tracked = client.post(
        "/api/services/track/",
        {"reference": consent.case.reference, "phone_last4": PHONE[-4:]},
        content_type="application/json",
    ).json()
    assert tracked["attachments"] == []


def test_no_consent_no_case(world, built_service, client):
    client.force_login(world.users["grid_worker"])
    response = _submit(client, built_service, on_behalf_household=world.household1.pk)
    assert response.status_code == 400
    assert response.json()["consent_method"] == ["请记录居民是怎样同意的。"]
    response = _submit(
        client, built_service, on_behalf_household=world.household1.pk, consent_method="sms_code"
    )
    assert response.status_code == 400 and "consent_code" in response.json()
    response = _submit(
        client,
        built_service,
        on_behalf_household=world.household1.pk,
        consent_method="signed_photo",
    )
    assert response.status_code == 400
    assert response.json()["consent_photo"] == ["请附上签字授权书的照片。"]
    assert not Case.objects.exists()


def test_a_photo_that_is_not_one_is_refused(world, built_service, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.users["grid_worker"])
    fake = SimpleUploadedFile("授权书.png", b"MZ not a picture", content_type="image/png")
    response = _submit(
        client,
        built_service,
        multipart=True,
        on_behalf_household=world.household1.pk,
        consent_method="signed_photo",
        consent_photo=fake,
    )
    assert response.status_code == 400
    assert response.json()["consent_photo"] and not Case.objects.exists()


def test_a_wrong_code_files_nothing_and_says_so(world, built_service, client):
    client.force_login(world.users["grid_worker"])
    _send_code(client, built_service)
    code = _code_sent()
    wrong = "000000" if code != "000000" else "111111"
    response = _submit(
        client,
        built_service,
        on_behalf_household=world.household1.pk,
        consent_method="sms_code",
        consent_code=wrong,
    )
    assert response.status_code == 400
    assert "验证码不正确" in response.json()["consent_code"][0]
    assert not Case.objects.exists()


def test_a_code_sent_to_another_phone_or_for_another_service_is_refused(
    world, built_service, client
):
    client.force_login(world.users["grid_worker"])
    _send_code(client, built_service, phone="13900009999")
    code = _code_sent("13900009999")
    response = _submit(
        client,
        built_service,
        on_behalf_household=world.household1.pk,
        consent_method="sms_code",
        consent_code=code,
    )
    assert response.status_code == 400 and "consent_code" in response.json()
    assert not Case.objects.exists()


def test_a_retry_with_the_same_key_answers_the_first_case(world, built_service, client):
    client.force_login(world.users["grid_worker"])
    _send_code(client, built_service)
    data = {
        "on_behalf_household": world.household1.pk,
        "consent_method": "sms_code",
        "consent_code": _code_sent(),
        "idempotency_key": "behalf-api-1",
    }
    first = _submit(client, built_service, **data)
    assert first.status_code == 201, first.content
    again = _submit(client, built_service, **data)  # the code is used up by now
    assert again.status_code == 200, again.content
    assert again.json()["reference"] == first.json()["reference"]
    assert Case.objects.count() == 1 and CaseConsent.objects.count() == 1


def test_a_consent_code_is_for_filers_only_and_limited(world, built_service, client, settings):
    for role in ("resident", "resident_rep"):
        client.force_login(world.users[role])
        response = _send_code(client, built_service)
        assert response.status_code == 403
        assert "代办" in response.json()["detail"]
    client.logout()
    assert _send_code(client, built_service).status_code == 403
    assert not OneTimeCode.objects.exists()
    client.force_login(world.users["grid_worker"])
    response = _send_code(client, built_service, phone="12345")
    assert response.status_code == 400 and "phone" in response.json()
    settings.RESIDENTS_CODES_PER_HOUR = 1
    assert _send_code(client, built_service).status_code == 202
    response = _send_code(client, built_service)
    assert response.status_code == 429 and "太频繁" in response.json()["detail"]
    assert OneTimeCode.objects.count() == 1
    assert (
        client.post("/api/services/forms/nope/consent-code/", {"phone": PHONE}).status_code == 404
    )


def test_not_for_a_household_of_another_grid(world, built_service, client):
    client.force_login(world.users["grid_worker"])
    response = _submit(
        client,
        built_service,
        multipart=True,
        on_behalf_household=world.household2.pk,
        **_with_photo(),
    )
    assert response.status_code == 400
    assert "on_behalf_household" in response.json()
    assert not Case.objects.exists()


@pytest.mark.parametrize("role", ["resident", "resident_rep", None])
def test_only_staff_who_may_file_on_behalf(world, built_service, client, role):
    if role:
        client.force_login(world.users[role])
    response = _submit(client, built_service, on_behalf_household=world.household1.pk)
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_malformed_household_is_a_field_error(world, built_service, client):
    client.force_login(world.users["committee"])
    response = _submit(client, built_service, on_behalf_household="一号")
    assert response.status_code == 400
    assert "on_behalf_household" in response.json()


def test_filing_for_oneself_needs_no_consent(world, built_service, client):
    client.force_login(world.users["resident"])
    response = _submit(client, built_service)
    assert response.status_code == 201, response.content
    assert not CaseConsent.objects.exists()
    case = Case.objects.get()
    assert not case.on_behalf
