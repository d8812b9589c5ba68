"""Filing on a resident's behalf (代办) through the API: staff of the household's grid
only, recorded as such."""

import pytest

from anju.services.models import Case

from .conftest import answers_for


def _submit(client, service, **extra):
    data = {
        **answers_for(service),
        "requester_name": "王小明",
        "requester_phone": "13812345678",
        **extra,
    }
    return client.post(
        f"/api/services/forms/{service.slug}/submit/", data, content_type="application/json"
    )


def test_a_grid_worker_files_for_a_household_of_their_grid(world, built_service, client):
    worker = world.users["grid_worker"]
    client.force_login(worker)
    response = _submit(client, built_service, on_behalf_household=world.household1.pk)
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.on_behalf and case.filed_by == worker and case.requester_user is None
    assert case.household == world.household1 and case.grid == world.grid1
    assert case.events.get(kind="filed").text == "代办"


def test_not_for_a_household_of_another_grid(world, built_service, client):
    client.force_login(world.users["grid_worker"])
    response = _submit(client, built_service, on_behalf_household=world.household2.pk)
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
