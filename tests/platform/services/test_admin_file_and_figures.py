"""Filing on a resident's behalf (代办) from the admin, and the figures page."""

import pytest
from django.urls import reverse

from anju.services import workflow
from anju.services.models import Case, Service, Status
from anju.services.submission import format_reference

from .conftest import answers_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def signed_authorisation():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("授权书.png", PNG, content_type="image/png")


def behalf_data(service, household, **overrides):
    data = {
        **answers_for(service),
        # The resident's consent (代办): a photo of the signed authorisation.
        "consent-method": "signed_photo",
        "consent-photo": signed_authorisation(),
        "requester-requester_name": "张奶奶",
        "requester-requester_phone": "13700001234",
        "requester-idempotency_key": "behalf-1",
        "behalf-household": str(household.pk),
    }
    data.update(overrides)
    return data


def test_a_grid_worker_files_for_a_resident_of_their_grid(world, client, built_service):
    worker = world.users["grid_worker"]
    client.force_login(worker)
    listing = client.get(reverse("anju_cases_file"))
    assert built_service in list(listing.context["services"])
    url = reverse("anju_cases_file_form", args=[built_service.pk])
    response = client.post(url, behalf_data(built_service, world.household1), follow=True)
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == reverse("anju_case", args=[case.pk])
    assert case.on_behalf and case.filed_by == worker and case.requester_user is None
    assert case.household == world.household1 and case.grid == world.grid1
    texts = [str(m) for m in response.context["messages"]]
    assert any(format_reference(case.reference) in t for t in texts)
    # A double submit (same one-time key) files nothing more.
    client.post(url, behalf_data(built_service, world.household1))
    assert Case.objects.count() == 1


def test_a_household_of_another_grid_is_refused(world, client, built_service):
    client.force_login(world.users["grid_worker"])
    url = reverse("anju_cases_file_form", args=[built_service.pk])
    response = client.post(url, behalf_data(built_service, world.household2))
    assert response.status_code == 400
    assert "household" in response.context["household_form"].errors
    assert not Case.objects.exists()


def test_bad_answers_are_shown_again_with_what_was_typed(world, client, built_service):
    client.force_login(world.users["committee"])
    url = reverse("anju_cases_file_form", args=[built_service.pk])
    data = behalf_data(built_service, world.household2, **{"requester-requester_phone": "123"})
    response = client.post(url, data)
    assert response.status_code == 400
    assert "requester_phone" in response.context["requester_form"].errors
    assert response.context["requester_form"]["requester_name"].value() == "张奶奶"
    assert not Case.objects.exists()


def test_closed_and_plugin_services_are_not_offered(world, client, built_service):
    built_service.is_active = False
    built_service.save()
    code = Service.objects.create(kind=Service.Kind.CODE, plugin="dummy", slug="d-x", title="X")
    client.force_login(world.users["committee"])
    assert list(client.get(reverse("anju_cases_file")).context["services"]) == []
    for service in (built_service, code):
        url = reverse("anju_cases_file_form", args=[service.pk])
        assert client.get(url).status_code == 404


def test_figures_count_only_what_the_user_may_see(world, client, case_in_grid1, case_in_grid2):
    committee = world.users["committee"]
    workflow.transition(case_in_grid1, Status.ACCEPTED, committee)
    workflow.transition(case_in_grid1, Status.RESOLVED, committee)
    client.force_login(committee)
    response = client.get(reverse("anju_cases_figures"))
    figures = response.context["figures"]
    assert figures["filed"] == 2 and figures["resolved"] == 1 and figures["open"] == 1
    assert {row["grid"] for row in response.context["by_grid"]} == {"第一网格", "第二网格"}
    html = response.content.decode()
    assert 'data-figure="filed">2<' in html

    client.force_login(world.users["grid_worker"])
    response = client.get(reverse("anju_cases_figures"))
    assert response.context["figures"]["filed"] == 1
    assert [row["grid"] for row in response.context["by_grid"]] == ["第一网格"]
    assert "第二网格" not in response.content.decode()


def test_figures_over_a_period(world, client, case_in_grid1):
    client.force_login(world.users["committee"])
    response = client.get(
        reverse("anju_cases_figures"), {"start": "2000-01-01", "end": "2000-12-31"}
    )
    assert response.context["figures"]["filed"] == 0
    response = client.get(
        reverse("anju_cases_figures"), {"start": "2001-01-01", "end": "2000-01-01"}
    )
    assert response.status_code == 200 and "end" in response.context["form"].errors
