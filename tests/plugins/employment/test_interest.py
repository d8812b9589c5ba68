""" "I'm interested": a resident leaves a name and phone number (or is signed in) and a
case for the employment staff is filed, linked to the posting."""

import pytest
from django.urls import reverse

from anju.services.models import Case, HandlerRole
from plugins.employment.models import Interest

from .conftest import make_posting

pytestmark = pytest.mark.django_db


def interest_data(posting, **extra):
    return {
        "posting": posting.pk,
        "message": "下周一可以上岗",
        "requester-requester_name": "王芳",
        "requester-requester_phone": "13912345678",
        **extra,
    }


def test_interest_files_a_case_for_the_service_staff(client, world, board):
    posting = make_posting(board)
    url = reverse("employment:interest", kwargs={"pk": posting.pk})
    page = client.get(url)
    assert page.status_code == 200 and posting.title in page.content.decode()
    response = client.post(url, interest_data(posting))
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.reference[:4] in response.content.decode()
    assert case.service.handler_role == HandlerRole.SERVICE_STAFF
    assert case.requester_name == "王芳" and case.data["message"] == "下周一可以上岗"
    interest = Interest.objects.get()
    assert interest.posting == posting and interest.case == case
    assert "缝纫工" in case.data["posting_title"]


def test_the_core_form_url_works_too_and_refuses_an_empty_submission(client, world, board):
    posting = make_posting(board)
    url = reverse("employment:service-form", kwargs={"form_slug": "interest"})
    assert client.post(url, {}).status_code == 400
    assert client.post(url, interest_data(posting)).status_code == 200
    assert Interest.objects.get().posting == posting


def test_a_closed_posting_takes_no_interest(client, world, board):
    posting = make_posting(board, days=-1)
    assert client.get(reverse("employment:interest", kwargs={"pk": posting.pk})).status_code == 404
    url = reverse("employment:service-form", kwargs={"form_slug": "interest"})
    response = client.post(url, interest_data(posting))
    assert response.status_code == 400
    assert not Case.objects.exists() and not Interest.objects.exists()


def test_a_signed_in_resident_is_the_requester(client, world, board):
    posting = make_posting(board)
    client.force_login(world.users["resident"])
    url = reverse("employment:interest", kwargs={"pk": posting.pk})
    client.post(url, interest_data(posting))
    assert Case.objects.get().requester_user == world.users["resident"]


def test_service_staff_see_the_interest_on_the_posting(client, world, board):
    posting = make_posting(board)
    client.post(reverse("employment:interest", kwargs={"pk": posting.pk}), interest_data(posting))
    client.force_login(world.users["service_staff"])
    page = client.get(reverse("employment_admin:posting", kwargs={"pk": posting.pk}))
    assert page.status_code == 200 and "王芳" in page.content.decode()
    assert "139****5678" in page.content.decode()
    overview = client.get(reverse("employment_admin:postings")).content.decode()
    assert f'data-interest="{posting.pk}">1<' in overview
