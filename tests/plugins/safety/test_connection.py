"""A gas-connection application: filed on the portal (or by the grid worker on the
resident's behalf), a case of the engine, the household's gas becomes "applied", the
case is handed to the gas company — whose staff see it — and once resolved the
household is connected."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from anju.permissions import handovers_of
from anju.services import Case, Status, transition
from plugins.safety.handling import set_gas_state
from plugins.safety.models import ConnectionApplication, GasState, GasStatus

pytestmark = pytest.mark.django_db

URL = "/services/safety/forms/connect/"


def apply(client, world, **extra):
    data = {
        "lpg_cylinders": "2",
        "note": "白天家里有人",
        "requester-requester_name": "王小明",
        "requester-requester_phone": "13912345678",
        "requester-building": world.building1.pk,
        "requester-room": "101",
        **extra,
    }
    return client.post(URL, data)


def test_url_is_the_service_form(world):
    assert reverse("safety:service-form", kwargs={"form_slug": "connect"}) == URL


def test_a_resident_applies_and_it_goes_to_the_gas_company(world, client):
    set_gas_state(world.household1, GasState.LPG, 2)
    response = apply(client, world)
    assert response.status_code == 200, response.content
    application = ConnectionApplication.objects.select_related("case").get()
    case = application.case
    assert case.reference[:4] in response.content.decode()
    assert case.household == world.household1 and application.lpg_cylinders == 2
    status = GasStatus.objects.get(household=world.household1)
    assert (status.state, status.lpg_cylinders) == (GasState.APPLIED, 0)
    assert [h.organisation for h in handovers_of(case)] == [world.gas_company]

    partner = APIClient()
    partner.force_login(world.users["partner_staff"])
    assert partner.get(f"/api/services/cases/{case.reference}/").status_code == 200


def test_resolving_the_application_connects_the_household(
    world, client, django_capture_on_commit_callbacks
):
    apply(client, world)
    case = Case.objects.get()
    worker = world.users["grid_worker"]
    with django_capture_on_commit_callbacks(execute=True):
        transition(case, Status.ACCEPTED, worker)
        transition(case, Status.RESOLVED, worker)
    assert GasStatus.objects.get(household=world.household1).state == GasState.CONNECTED


def test_bad_input_is_refused_and_saves_nothing(world, client):
    response = apply(client, world, lpg_cylinders="-3")
    assert response.status_code == 400
    assert "lpg_cylinders" in response.context["form"].errors
    assert not Case.objects.exists() and not ConnectionApplication.objects.exists()


def test_gas_status_lpg_needs_a_cylinder_count(world, client):
    client.force_login(world.users["grid_worker"])
    response = client.post(
        reverse("safety_gas:add"),
        {"household": world.household1.pk, "state": "lpg", "lpg_cylinders": "0"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert not GasStatus.objects.exists()
    response = client.post(
        reverse("safety_gas:add"),
        {"household": world.household1.pk, "state": "lpg", "lpg_cylinders": "1"},
    )
    assert response.status_code == 302
    assert GasStatus.objects.get().lpg_cylinders == 1


def test_a_grid_worker_cannot_record_another_grids_gas(world, client):
    client.force_login(world.users["grid_worker"])
    response = client.post(
        reverse("safety_gas:add"),
        {"household": world.household2.pk, "state": "connected", "lpg_cylinders": "0"},
    )
    assert response.status_code == 200
    assert not GasStatus.objects.exists()
