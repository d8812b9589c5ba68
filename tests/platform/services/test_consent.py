"""Consent to filing on behalf (代办): a code the resident reads back, or a photo of the
signed authorisation — required by the admin's filing form and shown on the case page."""

import pytest
from django.urls import reverse

from anju.notify.models import Message, OneTimeCode
from anju.services.consent import CONSENT_TEMPLATE
from anju.services.models import Case, CaseConsent

from .test_admin_file_and_figures import behalf_data

pytestmark = pytest.mark.django_db

PHONE = "13700001234"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worker(client, world):
    client.force_login(world.users["grid_worker"])
    return world.users["grid_worker"]


def send_code(client, service, phone=PHONE):
    return client.post(reverse("anju_cases_consent_code", args=[service.pk]), {"phone": phone})


def code_sent(phone=PHONE) -> str:
    message = Message.objects.filter(template=CONSENT_TEMPLATE).latest("pk")
    assert message.phone == phone and message.channel == "sms"
    return message.payload["code"]


def with_code(service, household, code):
    data = behalf_data(service, household)
    data.pop("consent-photo")
    data.update({"consent-method": "sms_code", "consent-code": code})
    return data


def test_the_resident_reads_back_the_code_and_the_case_shows_it(
    client, world, worker, built_service
):
    response = send_code(client, built_service)
    url = reverse("anju_cases_file_form", args=[built_service.pk])
    assert response.status_code == 302 and response["Location"] == url
    code = code_sent()
    assert "为您代办" in Message.objects.get(template=CONSENT_TEMPLATE).render().body
    response = client.post(url, with_code(built_service, world.household1, code))
    assert response.status_code == 302
    case = Case.objects.get()
    consent = CaseConsent.objects.get(case=case)
    assert consent.method == "sms_code" and consent.phone_masked == "137****1234"
    assert consent.recorded_by == worker
    page = client.get(reverse("anju_case", args=[case.pk])).content.decode()
    assert "data-consent" in page and "短信" in page and "137****1234" in page


def test_a_wrong_code_files_nothing_and_keeps_what_was_typed(client, world, worker, built_service):
    send_code(client, built_service)
    code = code_sent()
    wrong = "000000" if code != "000000" else "111111"
    url = reverse("anju_cases_file_form", args=[built_service.pk])
    response = client.post(url, with_code(built_service, world.household1, wrong))
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert response.context["requester_form"]["requester_name"].value() == "张奶奶"
    assert not Case.objects.exists()


def test_a_code_for_another_phone_is_refused(client, world, worker, built_service):
    send_code(client, built_service, phone="13900009999")
    code = code_sent("13900009999")
    url = reverse("anju_cases_file_form", args=[built_service.pk])
    response = client.post(url, with_code(built_service, world.household1, code))
    assert response.status_code == 400 and not Case.objects.exists()


def test_no_consent_no_case(client, world, worker, built_service):
    url = reverse("anju_cases_file_form", args=[built_service.pk])
    data = behalf_data(built_service, world.household1)
    data.pop("consent-method")
    data.pop("consent-photo")
    response = client.post(url, data)
    assert response.status_code == 400
    assert "请记录居民是怎样同意的" in response.content.decode()
    data["consent-method"] = "signed_photo"
    response = client.post(url, data)
    assert response.status_code == 400 and "请附上签字授权书的照片" in response.content.decode()
    assert not Case.objects.exists()


def test_a_signed_authorisation_is_kept_as_a_staff_only_attachment(
    client, world, worker, built_service
):
    url = reverse("anju_cases_file_form", args=[built_service.pk])
    assert client.post(url, behalf_data(built_service, world.household1)).status_code == 302
    consent = CaseConsent.objects.get()
    assert consent.method == "signed_photo" and not consent.attachment.public
    page = client.get(reverse("anju_case", args=[consent.case.pk])).content.decode()
    assert reverse("anju_case_attachment", args=[consent.case.pk, consent.attachment.pk]) in page


def test_sending_codes_is_limited_and_for_filers_only(
    client, world, worker, built_service, settings
):
    settings.RESIDENTS_CODES_PER_HOUR = 2
    for _ in range(2):
        send_code(client, built_service)
    response = send_code(client, built_service, phone=PHONE)
    assert OneTimeCode.objects.count() == 2
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("太频繁" in m for m in messages)
    client.force_login(world.users["resident_rep"])
    send_code(client, built_service, phone="13900001111")
    assert OneTimeCode.objects.count() == 2
