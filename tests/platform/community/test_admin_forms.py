"""Admin forms: the model's validation surfaces as field errors, choices are limited to
the user's grids, and the whole ID number never reaches the browser in a form."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from anju.community.idnumbers import check_char, make_id_number
from anju.community.models import Household, Resident, TeamRole, Visit
from tests.factories import UserFactory, seat

pytestmark = pytest.mark.django_db

BORN = datetime.date(1985, 3, 9)
VALID_ID = make_id_number("411421", BORN, 123)


def url(model, action, *args):
    return reverse(f"community_{model._meta.model_name}:{action}", args=args)


def resident_data(household, **overrides):
    data = {
        "household": household.pk,
        "name": "赵新来",
        "gender": "M",
        "birth_date": BORN.isoformat(),
        "id_number": VALID_ID,
        "phone": "13912345678",
        "relation": Resident.Relation.HEAD,
        "note": "",
    }
    data.update(overrides)
    return data


def form_errors(response):
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors.as_data()


# --- resident: the model's validation as field errors ---------------------------------


def _impossible_date_id():
    first17 = "411421" + "19990231" + "001"
    return first17 + check_char(first17)


def _wrong_check_digit_id():
    last = VALID_ID[-1]
    return VALID_ID[:-1] + ("0" if last != "0" else "1")


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"id_number": "_wrong_check_digit"}, "id_number", "id_check_digit"),
        ({"id_number": "_impossible_date"}, "id_number", "id_birth_date"),
        ({"id_number": "4114211985"}, "id_number", "id_format"),
        ({"id_number": "_duplicate"}, "id_number", None),
        ({"birth_date": "1985-03-10"}, "birth_date", None),
        ({"phone": "12345"}, "phone", "phone"),
        ({"phone": "010-123"}, "phone", "phone"),
    ],
    ids=[
        "wrong-check-digit",
        "impossible-birth-date",
        "too-short",
        "duplicate-in-community",
        "birth-date-disagrees",
        "bad-mobile",
        "bad-landline",
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_saved(world, client, overrides, field, code):
    special = {
        "_wrong_check_digit": _wrong_check_digit_id(),
        "_impossible_date": _impossible_date_id(),
        # grid 2's resident: numbers are unique in the whole community, not per grid
        "_duplicate": world.resident2.id_number,
    }
    overrides = {k: special.get(v, v) for k, v in overrides.items()}
    if overrides.get("id_number") == world.resident2.id_number:
        overrides["birth_date"] = world.resident2.birth_date.isoformat()
    client.force_login(world.users["grid_worker"])
    before = Resident.objects.count()
    response = client.post(url(Resident, "add"), resident_data(world.household1, **overrides))
    errors = form_errors(response)
    assert field in errors, errors
    if code:
        assert code in {error.code for error in errors[field]}
    assert Resident.objects.count() == before


def test_a_valid_resident_is_registered(world, client):
    client.force_login(world.users["grid_worker"])
    response = client.post(url(Resident, "add"), resident_data(world.household1))
    assert response.status_code == 302
    resident = Resident.objects.get(name="赵新来")
    assert resident.id_number == VALID_ID
    assert resident.community_id == world.community.pk


def test_edit_errors_leave_the_resident_unchanged(world, client):
    resident = world.resident1
    client.force_login(world.users["grid_worker"])
    data = resident_data(
        world.household1,
        name=resident.name,
        birth_date=resident.birth_date.isoformat(),
        id_number="",  # keep
        phone="999",
    )
    errors = form_errors(client.post(url(Resident, "edit", resident.pk), data))
    assert "phone" in errors
    data.update(phone="13800001111", birth_date="1960-05-18")
    errors = form_errors(client.post(url(Resident, "edit", resident.pk), data))
    assert "birth_date" in errors
    old_phone = resident.phone
    resident.refresh_from_db()
    assert resident.phone == old_phone
    assert resident.birth_date == datetime.date(1960, 5, 17)


def test_a_resident_cannot_be_registered_in_another_grid(world, client):
    client.force_login(world.users["grid_worker"])
    response = client.post(url(Resident, "add"), resident_data(world.household2))
    assert "household" in form_errors(response)
    assert not Resident.objects.filter(name="赵新来").exists()
    response = client.get(url(Resident, "add"))
    choices = response.context["form"].fields["household"].queryset
    assert list(choices) == [world.household1]


# --- the ID number in the edit form ---------------------------------------------------


def test_the_edit_form_never_contains_the_whole_id_number(world, client):
    resident = world.resident1
    for role in ("committee", "grid_worker"):
        client.force_login(world.users[role])
        response = client.get(url(Resident, "edit", resident.pk))
        html = response.content.decode()
        assert "id_number" in response.context["form"].fields  # may replace it
        assert resident.id_number not in html
        assert resident.masked_id_number in html


def test_leaving_the_id_number_empty_keeps_it_and_typing_one_replaces_it(world, client):
    resident = world.resident1
    old_number = resident.id_number
    client.force_login(world.users["grid_worker"])
    data = resident_data(
        world.household1,
        name="王小明",
        gender="F",
        birth_date=resident.birth_date.isoformat(),
        id_number="",
        phone="13800001111",
    )
    response = client.post(url(Resident, "edit", resident.pk), data)
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.id_number == old_number
    assert resident.phone == "13800001111"

    new_number = make_id_number("411421", resident.birth_date, 777)
    data["id_number"] = new_number.lower()  # a lower-case x is normalised
    assert client.post(url(Resident, "edit", resident.pk), data).status_code == 302
    resident.refresh_from_db()
    assert resident.id_number == new_number


@pytest.fixture
def editor_without_full_numbers(world):
    """May change residents of grid 2, but not see whole ID numbers."""
    group = Group.objects.create(name="档案员")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="community",
            codename__in=["view_resident", "change_resident", "view_household"],
        ),
        Permission.objects.get(codename="access_admin"),
    )
    user = UserFactory(username="clerk")
    user.groups.add(group)
    seat(user, world.grid2, TeamRole.GRID_WORKER)
    return user


def test_without_view_full_id_number_the_field_is_left_out(
    world, client, editor_without_full_numbers
):
    resident = world.resident2
    old_number = resident.id_number
    client.force_login(editor_without_full_numbers)
    response = client.get(url(Resident, "edit", resident.pk))
    assert response.status_code == 200
    assert "id_number" not in response.context["form"].fields
    assert old_number not in response.content.decode()

    data = resident_data(
        world.household2,
        name="李大红",
        gender="F",
        birth_date=resident.birth_date.isoformat(),
        id_number=VALID_ID,  # ignored: not a field of this user's form
    )
    assert client.post(url(Resident, "edit", resident.pk), data).status_code == 302
    resident.refresh_from_db()
    assert resident.id_number == old_number


# --- households and visits ------------------------------------------------------------


def household_data(household, **overrides):
    data = {
        "building": household.building_id,
        "unit": household.unit,
        "room": household.room,
        "head": household.head_id or "",
        "note": household.note,
    }
    data.update(overrides)
    return data


def test_grid_worker_cannot_move_a_household_into_grid_2(world, client):
    household = world.household1
    client.force_login(world.users["grid_worker"])
    response = client.post(
        url(Household, "edit", household.pk),
        household_data(household, building=world.building2.pk),
    )
    errors = form_errors(response)
    assert "building" in errors
    assert errors["building"][0].code == "invalid_choice"
    household.refresh_from_db()
    assert household.building_id == world.building1.pk
    choices = response.context["form"].fields["building"].queryset
    assert list(choices) == [world.building1]


def test_the_committee_may_move_a_household_between_its_grids(world, client):
    household = world.household1
    client.force_login(world.users["committee"])
    response = client.post(
        url(Household, "edit", household.pk),
        household_data(household, building=world.building2.pk),
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.building_id == world.building2.pk


def test_a_new_household_cannot_be_put_in_grid_2_by_the_grid_worker(world, client):
    client.force_login(world.users["grid_worker"])
    data = {"building": world.building2.pk, "unit": "3单元", "room": "303", "note": ""}
    response = client.post(url(Household, "add"), data)
    assert "building" in form_errors(response)
    assert not Household.objects.filter(room="303").exists()
    data["building"] = world.building1.pk
    assert client.post(url(Household, "add"), data).status_code == 302
    assert Household.objects.filter(room="303", building=world.building1).exists()


def test_the_head_of_household_must_live_there(world, client):
    household = world.household1
    client.force_login(world.users["committee"])
    response = client.post(
        url(Household, "edit", household.pk), household_data(household, head=world.resident2.pk)
    )
    assert "head" in form_errors(response)
    household.refresh_from_db()
    assert household.head_id == world.resident1.pk


def visit_data(household, visitor, **overrides):
    data = {
        "household": household.pk,
        "visited_on": datetime.date.today().isoformat(),
        "visitor": visitor.pk,
        "channel": Visit.Channel.IN_PERSON,
        "basic_situation": "身体还好。",
        "family_matters": "",
        "difficulties": "",
        "suggestions": "",
        "follow_up_due": "",
        "follow_up_done_at": "",
    }
    data.update(overrides)
    return data


def test_a_visit_defaults_to_its_visitor_and_stays_in_scope(world, client):
    worker = world.users["grid_worker"]
    client.force_login(worker)
    response = client.get(url(Visit, "add"))
    form = response.context["form"]
    assert form["visitor"].value() == worker.pk
    assert list(form.fields["household"].queryset) == [world.household1]
    assert world.users["service_staff"] not in form.fields["visitor"].queryset

    response = client.post(url(Visit, "add"), visit_data(world.household2, worker))
    assert "household" in form_errors(response)
    response = client.post(url(Visit, "add"), visit_data(world.household1, worker))
    assert response.status_code == 302
    assert Visit.objects.filter(household=world.household1, visitor=worker).count() == 2


def test_visit_rules_are_field_errors(world, client):
    worker = world.users["grid_worker"]
    client.force_login(worker)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    errors = form_errors(
        client.post(url(Visit, "add"), visit_data(world.household1, worker, visited_on=tomorrow))
    )
    assert "visited_on" in errors
    errors = form_errors(
        client.post(url(Visit, "add"), visit_data(world.household1, worker, follow_up_needed="on"))
    )
    assert "follow_up_due" in errors
    assert Visit.objects.count() == 2


def test_roles_without_add_permission_cannot_add(world, client):
    client.force_login(world.users["resident_rep"])
    response = client.post(
        url(Visit, "add"), visit_data(world.household1, world.users["resident_rep"])
    )
    assert response.status_code in (302, 403)
    assert Visit.objects.count() == 2
