"""Tests of the safety plugin. The contract kit (tests/contract) checks it too."""

import pytest
from django.urls import reverse

from anju.services import Case
from plugins.safety.models import Signup

pytestmark = pytest.mark.django_db


def test_portal_page(world, client):
    response = client.get(reverse("safety:index"))
    assert response.status_code == 200


def test_signup_through_the_service_form(world, client):
    url = reverse("safety:service-form", kwargs={"form_slug": "signup"})
    response = client.post(
        url,
        {
            "name": "王芳",
            "phone": "13912345678",
            "requester-requester_name": "王芳",
            "requester-requester_phone": "13912345678",
        },
    )
    assert response.status_code == 200
    assert Signup.objects.get().name == "王芳"
    case = Case.objects.get()  # filed with the services engine
    assert case.reference[:4] in response.content.decode()


def test_bad_phone_is_refused(world, client):
    url = reverse("safety:service-form", kwargs={"form_slug": "signup"})
    response = client.post(
        url,
        {
            "name": "王芳",
            "phone": "123",
            "requester-requester_name": "王芳",
            "requester-requester_phone": "13912345678",
        },
    )
    assert response.status_code == 400
    assert not Signup.objects.exists() and not Case.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("service_staff", 200), ("committee", 200), ("grid_worker", 403), ("resident", 403)],
)
def test_api_per_role(world, client, role, status):
    Signup.objects.create(name="王芳", phone="13912345678")
    client.force_login(world.users[role])
    response = client.get("/api/safety/signups/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["results"][0]["phone"] == "139****5678"
