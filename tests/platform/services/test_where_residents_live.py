"""A resident without an account says where they live, and the request lands in their
grid (小事不出网格) — with the household when the room matches exactly one."""

import pytest

from anju.portal.site import ensure_home_page
from anju.services.models import Case, ServiceFormPage
from anju.services.submission import household_at
from tests import factories as f

from .conftest import answers_for


@pytest.fixture
def form_page(world, built_service):
    return ensure_home_page().add_child(
        instance=ServiceFormPage(title="我要报修", slug="repair", service=built_service)
    )


def _post(client, page, service, **requester):
    data = {
        **answers_for(service),
        "requester-requester_name": "张阿姨",
        "requester-requester_phone": "13812345678",
        **{f"requester-{k}": v for k, v in requester.items()},
    }
    return client.post(page.url, data)


def test_building_and_room_find_the_household_and_its_grid_worker(
    world, built_service, form_page, client
):
    world.household1.unit = "2单元"
    world.household1.save()
    response = _post(client, form_page, built_service, building=world.building1.pk, room="2单元101")
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.household == world.household1 and case.grid == world.grid1
    assert case.assignee == world.users["grid_worker"]


def test_a_building_alone_still_puts_the_case_in_its_grid(world, built_service, form_page, client):
    response = _post(client, form_page, built_service, building=world.building2.pk, room="999")
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.household is None and case.grid == world.grid2


def test_an_unknown_building_is_a_field_error(world, built_service, form_page, client):
    response = _post(client, form_page, built_service, building=987654)
    assert response.status_code == 400
    assert "building" in response.context["requester_form"].errors
    assert not Case.objects.exists()


def test_room_matching_needs_exactly_one_household(world):
    other = f.HouseholdFactory(building=world.building1, unit="3单元", room="101")
    world.household1.unit = "2单元"
    world.household1.save()
    assert household_at(world.building1, "101") is None  # two 101s: ambiguous
    assert household_at(world.building1, "3单元101") == other
    assert household_at(world.building1, "2-101") == world.household1
    assert household_at(world.building1, "2101") == world.household1


def test_the_api_takes_building_and_room(world, built_service, client):
    data = {
        **answers_for(built_service),
        "requester_name": "张阿姨",
        "requester_phone": "13812345678",
        "building": world.building1.pk,
        "room": "101",
    }
    url = f"/api/services/forms/{built_service.slug}/submit/"
    response = client.post(url, data, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Case.objects.get().household == world.household1
