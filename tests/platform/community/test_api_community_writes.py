"""The community REST API, write side: the audited whole ID number, creating and editing
with the model's validation, related rows limited to the user's grids, nothing
half-saved, never a 500."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError
from django.db.models.signals import m2m_changed
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm
from rest_framework.relations import PrimaryKeyRelatedField

from anju.community import idnumbers
from anju.community.models import Household, Resident, SpecialGroup, Visit
from anju.core import audit
from anju.core.models import AuditEntry
from tests import factories as f
from tests.conftest import SEES_GRID_2

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident"]
BASE = "/api/community/"
#: Roles holding community.view_full_id_number (plus the superuser).
REVEALS = {"superuser", "committee", "grid_worker"}


def login(client, w, role):
    client.force_login(w.users[role])
    return client


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def id_number(born=datetime.date(1975, 3, 8), sequence=123, area="411421"):
    return idnumbers.make_id_number(area, born, sequence)


def wrong_check_digit(number):
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def resident_data(w, **changes):
    data = {
        "household": w.household1.pk,
        "name": "赵六",
        "gender": "M",
        "birth_date": "1975-03-08",
        "id_number": id_number(),
        "phone": "13912345678",
        "relation": "child",
    }
    data.update(changes)
    return data


def snapshot(obj):
    """The row as stored, to compare before and after a refused write."""
    fresh = type(obj).objects.get(pk=obj.pk)
    values = {f.attname: getattr(fresh, f.attname) for f in type(obj)._meta.concrete_fields}
    if isinstance(obj, Resident):
        values["groups"] = sorted(fresh.groups.values_list("pk", flat=True))
    return values


# --- the whole ID number ----------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_reveal_id_number_per_role(client, world, role):
    if role != "anonymous":
        login(client, world, role)
    for resident, in_grid_2 in ((world.resident1, False), (world.resident2, True)):
        before = AuditEntry.objects.count()
        response = post(client, f"{BASE}residents/{resident.pk}/reveal-id-number/")
        if role == "anonymous":
            assert response.status_code in (401, 403)
        elif role not in REVEALS:
            assert response.status_code == 403
        elif in_grid_2 and role not in SEES_GRID_2:
            assert response.status_code == 404
        else:
            assert response.status_code == 200, response.content
            assert response.json() == {"id_number": resident.id_number}
            entry = AuditEntry.objects.get()  # one entry per look, by whom, of what
            assert entry.action == audit.VIEW_ID_NUMBER
            assert entry.where == "api"
            assert entry.user == world.users[role]
            assert entry.object_id == str(resident.pk)
            entry.delete()
            continue
        assert AuditEntry.objects.count() == before  # a refusal records nothing


def test_each_reveal_is_audited(client, world):
    login(client, world, "grid_worker")
    url = f"{BASE}residents/{world.resident1.pk}/reveal-id-number/"
    for _ in range(3):
        assert post(client, url).status_code == 200
    assert AuditEntry.objects.filter(action=audit.VIEW_ID_NUMBER, where="api").count() == 3


def test_reveal_is_a_post(client, world):
    login(client, world, "committee")
    url = f"{BASE}residents/{world.resident1.pk}/reveal-id-number/"
    assert client.get(url, HTTP_ACCEPT="application/json").status_code == 405
    assert not AuditEntry.objects.exists()


# --- creating and editing residents -----------------------------------------------------


def test_grid_worker_registers_a_resident(client, world):
    login(client, world, "grid_worker")
    SpecialGroup.objects.create(code="disabled", name="残疾人")
    number = id_number()
    response = post(
        client,
        f"{BASE}residents/",
        resident_data(world, id_number=number[:-1] + number[-1].lower(), groups=["disabled"]),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert "id_number" not in data and "phone" not in data
    assert data["id_number_masked"] == number[:4] + "*" * 10 + number[-4:]
    assert data["phone_masked"] == "139****5678"
    assert data["groups"] == ["disabled"]
    resident = Resident.objects.get(pk=data["id"])
    assert resident.id_number == number  # normalised (upper case) and stored whole
    assert resident.community == world.community
    assert resident.household == world.household1


def zh(message, **params):
    """``message`` as the API answers it: in zh-hans, the language of every /api/ request
    (the URL decides the language, and /api/ carries no language prefix)."""
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return text % params if params else text


IMPOSSIBLE_DATE = (lambda s: s + idnumbers.check_char(s))("41142119601232123")


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [
        (
            "id_number",
            {"id_number": wrong_check_digit(id_number())},
            lambda: zh(
                "The last character of this ID number does not match: please check each digit."
            ),
        ),
        (
            "id_number",
            {"id_number": IMPOSSIBLE_DATE},  # a correct check character, but 32 December
            lambda: zh(
                "The birth date inside this ID number (%(date)s) is not a real date.",
                date="19601232",
            ),
        ),
        (
            "id_number",
            {"id_number": "4114211975"},
            lambda: zh("An ID number has 18 characters: 17 digits and a final digit or X."),
        ),
        (
            "phone",
            {"phone": "12345"},
            lambda: zh(
                "Enter a mainland mobile number (11 digits, starting with 1) or a landline "
                "with its area code, such as 0371-12345678."
            ),
        ),
        (
            "birth_date",
            {"birth_date": "1975-03-09"},
            lambda: zh(
                "The birth date does not agree with the ID number (%(date)s).", date="1975-03-08"
            ),
        ),
        (
            "household",
            {"household": 999999},
            lambda: invalid_pk(999999),
        ),
        ("name", {"name": ""}, None),
    ],
    ids=["check_digit", "impossible_date", "too_short", "phone", "birth_date", "household", "name"],
)
def test_bad_resident_is_refused_with_the_field_named(client, world, field, changes, message):
    login(client, world, "grid_worker")
    before = Resident.objects.count()
    response = post(client, f"{BASE}residents/", resident_data(world, **changes))
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    if message:
        assert errors[field] == [message()], errors
    assert Resident.objects.count() == before


def invalid_pk(pk):
    with translation.override("zh-hans"):
        template = str(PrimaryKeyRelatedField.default_error_messages["does_not_exist"])
    return template.format(pk_value=pk)


def test_duplicate_id_number_in_the_community_is_refused(client, world):
    login(client, world, "committee")
    before = Resident.objects.count()
    data = resident_data(
        world,
        id_number=world.resident2.id_number,
        birth_date=world.resident2.birth_date.isoformat(),
    )
    response = post(client, f"{BASE}residents/", data)
    assert response.status_code == 400
    assert "id_number" in response.json()
    assert Resident.objects.count() == before


def test_validation_messages_are_translated(client, world):
    login(client, world, "grid_worker")
    data = resident_data(world, household=world.household2.pk, phone="12345")
    errors = post(client, f"{BASE}residents/", data).json()
    assert errors["household"] == [invalid_pk(world.household2.pk)]
    assert "无效主键" in errors["household"][0]  # DRF's own catalogue: in Chinese already
    assert errors["phone"] == [
        zh(
            "Enter a mainland mobile number (11 digits, starting with 1) or a landline "
            "with its area code, such as 0371-12345678."
        )
    ]
    login(client, world, "committee")
    duplicate = resident_data(
        world,
        id_number=world.resident2.id_number,
        birth_date=world.resident2.birth_date.isoformat(),
    )
    errors = post(client, f"{BASE}residents/", duplicate).json()
    assert errors["id_number"] == [
        zh("A resident with this ID number is already registered in this community.")
    ]


def test_grid_worker_cannot_register_into_another_grid(client, world):
    login(client, world, "grid_worker")
    before = Resident.objects.count()
    response = post(
        client, f"{BASE}residents/", resident_data(world, household=world.household2.pk)
    )
    assert response.status_code == 400
    assert "household" in response.json()
    assert Resident.objects.count() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": "WRONG_CHECK_DIGIT"}, "id_number"),
        ({"birth_date": "1961-01-01"}, "birth_date"),
        ({"phone": "0371-12"}, "phone"),
        ({"household": "HOUSEHOLD2"}, "household"),
        ({"name": "新名字", "groups": ["no-such-group"]}, "groups"),
    ],
    ids=["id_number", "birth_date", "phone", "moved_to_grid_2", "unknown_group"],
)
def test_bad_update_leaves_the_resident_unchanged(client, world, changes, field):
    login(client, world, "grid_worker")
    if changes.get("household") == "HOUSEHOLD2":
        changes = {"household": world.household2.pk}
    if changes.get("id_number") == "WRONG_CHECK_DIGIT":
        changes = {"id_number": wrong_check_digit(world.resident1.id_number)}
    resident = world.resident1
    before = snapshot(resident)
    response = patch(client, f"{BASE}residents/{resident.pk}/", changes)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert snapshot(resident) == before


def test_update_to_another_residents_id_number_is_a_duplicate(client, world):
    login(client, world, "committee")
    other = f.ResidentFactory(household=world.household1)
    before = snapshot(world.resident1)
    response = patch(
        client,
        f"{BASE}residents/{world.resident1.pk}/",
        {"id_number": other.id_number, "birth_date": other.birth_date.isoformat()},
    )
    assert response.status_code == 400
    assert "id_number" in response.json()
    assert snapshot(world.resident1) == before


def test_good_update_is_saved_and_keeps_the_id_number(client, world):
    login(client, world, "grid_worker")
    resident = world.resident1
    number = resident.id_number
    response = patch(
        client, f"{BASE}residents/{resident.pk}/", {"name": "王小亮", "phone": "0371-12345678"}
    )
    assert response.status_code == 200, response.content
    resident.refresh_from_db()
    assert resident.name == "王小亮"
    assert resident.phone == "0371-12345678"
    assert resident.id_number == number
    assert response.json()["phone_masked"] == "0371-****5678"


@pytest.fixture
def clerk(world):
    """Someone who may edit residents of grid 1 but not see whole ID numbers."""
    group = Group.objects.create(name="clerk")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="community",
            codename__in=["view_resident", "add_resident", "change_resident"],
        )
    )
    user = f.UserFactory(username="clerk")
    user.groups.add(group)
    # what a seat on grid 1 would grant (its three seats are taken)
    assign_perm("community.view_grid", user, world.grid1)
    return user


def test_only_people_who_may_see_id_numbers_may_set_them(client, world, clerk):
    client.force_login(clerk)
    resident = world.resident1
    before = snapshot(resident)
    url = f"{BASE}residents/{resident.pk}/"
    new_number = id_number(born=resident.birth_date, sequence=555)
    response = patch(client, url, {"id_number": new_number})
    assert response.status_code == 403
    assert snapshot(resident) == before
    count = Resident.objects.count()
    assert post(client, f"{BASE}residents/", resident_data(world)).status_code == 403
    assert Resident.objects.count() == count
    # without an ID number, the same person's edit goes through
    assert patch(client, url, {"note": "行动不便"}).status_code == 200
    resident.refresh_from_db()
    assert resident.note == "行动不便"
    assert resident.id_number == before["id_number"]
    # and they cannot reveal the number either
    assert post(client, f"{url}reveal-id-number/").status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_who_may_create_and_change_residents(client, world, role):
    login(client, world, role)
    count = Resident.objects.count()
    response = post(client, f"{BASE}residents/", resident_data(world))
    writes = role in {"superuser", "committee", "grid_worker"}
    assert response.status_code == (201 if writes else 403), response.content
    assert Resident.objects.count() == count + (1 if writes else 0)
    response = patch(client, f"{BASE}residents/{world.resident1.pk}/", {"note": "x"})
    assert response.status_code == (200 if writes else 403)


def test_nothing_is_half_saved_when_the_groups_fail(client, world):
    SpecialGroup.objects.create(code="disabled", name="残疾人")
    login(client, world, "grid_worker")

    def fail(sender, action, **kwargs):
        if action == "pre_add":
            raise IntegrityError("simulated")

    m2m_changed.connect(fail, sender=Resident.groups.through)
    try:
        count = Resident.objects.count()
        response = post(client, f"{BASE}residents/", resident_data(world, groups=["disabled"]))
    finally:
        m2m_changed.disconnect(fail, sender=Resident.groups.through)
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Resident.objects.count() == count


# --- households, buildings, visits ------------------------------------------------------


def test_grid_worker_cannot_move_a_household_to_another_grids_building(client, world):
    login(client, world, "grid_worker")
    household = world.household1
    before = snapshot(household)
    response = patch(client, f"{BASE}households/{household.pk}/", {"building": world.building2.pk})
    assert response.status_code == 400
    assert "building" in response.json()
    assert snapshot(household) == before


def test_committee_may_move_a_household_between_its_grids(client, world):
    login(client, world, "committee")
    response = patch(
        client, f"{BASE}households/{world.household1.pk}/", {"building": world.building2.pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["grid"] == world.grid2.pk


def test_household_rules(client, world):
    login(client, world, "grid_worker")
    household = world.household1
    url = f"{BASE}households/{household.pk}/"
    assert patch(client, url, {"room": household.room}).status_code == 200  # unchanged: fine
    before = snapshot(household)
    # the head must live in the household
    other = f.ResidentFactory(household=f.HouseholdFactory(building=world.building1))
    response = patch(client, url, {"head": other.pk})
    assert response.status_code == 400
    assert response.json()["head"] == [zh("The head of household must live in it.")]
    # a head from another grid does not exist for this user
    response = patch(client, url, {"head": world.resident2.pk})
    assert response.status_code == 400 and "head" in response.json()
    # an address taken already
    taken = f.HouseholdFactory(building=world.building1, unit="1单元", room="999")
    response = patch(client, url, {"room": taken.room, "unit": taken.unit})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert snapshot(household) == before
    # a new household cannot have a head yet
    count = Household.objects.count()
    response = post(
        client,
        f"{BASE}households/",
        {"building": world.building1.pk, "unit": "2单元", "room": "502", "head": other.pk},
    )
    assert response.status_code == 400 and "head" in response.json()
    response = post(
        client, f"{BASE}households/", {"building": world.building2.pk, "unit": "2", "room": "5"}
    )
    assert response.status_code == 400 and "building" in response.json()
    assert Household.objects.count() == count
    response = post(
        client, f"{BASE}households/", {"building": world.building1.pk, "unit": "2", "room": "5"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["grid"] == world.grid1.pk


def test_deleting_a_household_that_has_residents_is_a_conflict_not_a_500(client, world):
    login(client, world, "committee")
    response = client.delete(f"{BASE}households/{world.household1.pk}/")
    assert response.status_code == 409
    assert Household.objects.filter(pk=world.household1.pk).exists()


def test_buildings_are_written_only_by_the_committee_and_within_its_grids(client, world):
    login(client, world, "grid_worker")
    assert (
        post(client, f"{BASE}buildings/", {"grid": world.grid1.pk, "name": "9号楼"}).status_code
        == 403
    )
    login(client, world, "committee")
    response = post(client, f"{BASE}buildings/", {"grid": world.grid2.pk, "name": "9号楼"})
    assert response.status_code == 201, response.content
    response = post(client, f"{BASE}buildings/", {"grid": world.grid2.pk, "name": "9号楼"})
    assert response.status_code == 400  # the name is taken in that grid
    assert client.delete(f"{BASE}buildings/{world.building2.pk}/").status_code == 409


def test_visit_is_recorded_by_the_requesting_user(client, world):
    login(client, world, "grid_worker")
    today = timezone.localdate()
    response = post(
        client,
        f"{BASE}visits/",
        {
            "household": world.household1.pk,
            "visitor": world.users["committee"].pk,  # read-only: ignored
            "basic_situation": "老人身体尚可。",
            "follow_up_needed": True,
            "follow_up_due": (today + datetime.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    visit = Visit.objects.get(pk=response.json()["id"])
    assert visit.visitor == world.users["grid_worker"]
    assert visit.visited_on == today
    assert response.json()["visitor"] == world.users["grid_worker"].pk


def test_visit_rules(client, world):
    login(client, world, "grid_worker")
    today = timezone.localdate()
    count = Visit.objects.count()
    url = f"{BASE}visits/"
    response = post(client, url, {"household": world.household1.pk, "follow_up_needed": True})
    assert response.status_code == 400
    assert response.json()["follow_up_due"] == [zh("Say by when the follow-up is due.")]
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    response = post(client, url, {"household": world.household1.pk, "visited_on": tomorrow})
    assert response.status_code == 400
    assert response.json()["visited_on"] == [zh("A visit cannot be in the future.")]
    response = post(client, url, {"household": world.household2.pk})
    assert response.status_code == 400 and "household" in response.json()
    assert Visit.objects.count() == count
    # a due date without a follow-up is dropped, as the admin does, not a database error
    response = post(
        client,
        url,
        {"household": world.household1.pk, "follow_up_needed": False, "follow_up_due": tomorrow},
    )
    assert response.status_code == 201, response.content
    assert response.json()["follow_up_due"] is None
    # and so when a follow-up is no longer needed
    visit = f.VisitFactory(
        household=world.household1,
        visitor=world.users["grid_worker"],
        follow_up_needed=True,
        follow_up_due=today,
    )
    response = patch(client, f"{url}{visit.pk}/", {"follow_up_needed": False})
    assert response.status_code == 200, response.content
    visit.refresh_from_db()
    assert visit.follow_up_due is None


def test_grid_worker_cannot_move_a_visit_or_touch_grid_2(client, world):
    login(client, world, "grid_worker")
    before = snapshot(world.visit1)
    response = patch(client, f"{BASE}visits/{world.visit1.pk}/", {"household": world.household2.pk})
    assert response.status_code == 400 and "household" in response.json()
    assert snapshot(world.visit1) == before
    response = patch(client, f"{BASE}visits/{world.visit2.pk}/", {"basic_situation": "x"})
    assert response.status_code == 404
    assert client.delete(f"{BASE}visits/{world.visit1.pk}/").status_code == 403


def test_resident_rep_reads_but_never_writes(client, world):
    login(client, world, "resident_rep")
    assert post(client, f"{BASE}visits/", {"household": world.household1.pk}).status_code == 403
    response = patch(client, f"{BASE}households/{world.household1.pk}/", {"note": "x"})
    assert response.status_code == 403
    assert client.delete(f"{BASE}residents/{world.resident1.pk}/").status_code == 403
