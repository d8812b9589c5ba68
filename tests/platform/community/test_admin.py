"""The staff interface for community records answers only with rows in the user's grids:
lists, search, every single-object view, exports and the permission policy."""

import csv
import io

import pytest
from django.urls import reverse
from wagtail.permissions import policy_registry

from anju.community.models import Building, Grid, Household, Resident, Visit
from anju.permissions.admin.policy import GridScopedPermissionPolicy
from anju.permissions.urlscope import Scope, scope_of
from tests.conftest import SEES_COMMUNITY_DATA, SEES_GRID_2

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident"]
MODELS = (Grid, Building, Household, Resident, Visit)
#: The world's object of each model in grid 1 and in grid 2.
OBJECTS = {
    Grid: ("grid1", "grid2"),
    Building: ("building1", "building2"),
    Household: ("household1", "household2"),
    Resident: ("resident1", "resident2"),
    Visit: ("visit1", "visit2"),
}
#: A search term matching only the grid-1 object, and one matching only grid 2's.
SEARCH_TERMS = {
    Grid: ("第一", "第二"),
    Building: ("1号", "2号"),
    Household: ("101", "201"),
    Resident: ("小明", "大红"),
    Visit: ("101", "201"),
}


def url(model, action="index", *args):
    return reverse(f"community_{model._meta.model_name}:{action}", args=args)


def objects_of(world, model):
    first, second = OBJECTS[model]
    return getattr(world, first), getattr(world, second)


def expected_pks(world, model, role):
    in_grid1, in_grid2 = objects_of(world, model)
    expected = set()
    if role in SEES_COMMUNITY_DATA:
        expected.add(in_grid1.pk)
    if role in SEES_GRID_2:
        expected.add(in_grid2.pk)
    return expected


def listed_pks(response):
    return {obj.pk for obj in response.context["object_list"]}


def assert_no_access(response):
    """Wagtail refuses: a 403, or a redirect to the login (no admin access) or to the
    dashboard (no permission on this model)."""
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(("/admin/login/", "/admin/"))
        assert response["Location"] != response.request["PATH_INFO"]


# --- lists ----------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_anonymous_is_sent_to_the_login(world, client, model):
    response = client.get(url(model))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_exactly_the_rows_it_may_see(world, client, role, model):
    client.force_login(world.users[role])
    response = client.get(url(model))
    if role not in SEES_COMMUNITY_DATA:
        assert_no_access(response)
        return
    assert response.status_code == 200
    assert listed_pks(response) == expected_pks(world, model, role)
    # Nothing of grid 2 anywhere on the page (rows, filter choices) for those who may
    # not see it.
    in_grid2 = str(objects_of(world, model)[1])
    assert (in_grid2 in response.content.decode()) == (role in SEES_GRID_2)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", [*ROLES, None], ids=lambda r: r or "anonymous")
def test_search_finds_rows_in_scope_and_never_others(world, client, role, model):
    in_grid1, in_grid2 = objects_of(world, model)
    term1, term2 = SEARCH_TERMS[model]
    if role:
        client.force_login(world.users[role])
    if role not in SEES_COMMUNITY_DATA:
        for term in (term1, term2):
            assert_no_access(client.get(url(model), {"q": term}))
            assert_no_access(client.get(url(model, "index_results"), {"q": term}))
        return

    response = client.get(url(model), {"q": term1})
    assert response.status_code == 200
    assert listed_pks(response) == {in_grid1.pk}

    response = client.get(url(model), {"q": term2})
    assert response.status_code == 200
    assert listed_pks(response) == ({in_grid2.pk} if role in SEES_GRID_2 else set())

    # The results-only view behind the live search answers the same.
    response = client.get(url(model, "index_results"), {"q": term2})
    assert listed_pks(response) == ({in_grid2.pk} if role in SEES_GRID_2 else set())


def test_chinese_substring_search_finds_the_whole_name(world, client):
    client.force_login(world.users["grid_worker"])
    response = client.get(url(Resident), {"q": "小明"})
    assert listed_pks(response) == {world.resident1.pk}
    assert "王小明" in response.content.decode()


def test_a_whole_id_number_finds_its_resident_in_scope_only(world, client):
    client.force_login(world.users["grid_worker"])
    response = client.get(url(Resident), {"q": world.resident1.id_number})
    assert listed_pks(response) == {world.resident1.pk}
    response = client.get(url(Resident), {"q": world.resident2.id_number})
    assert listed_pks(response) == set()


def test_households_are_found_by_a_residents_name(world, client):
    client.force_login(world.users["committee"])
    response = client.get(url(Household), {"q": "大红"})
    assert listed_pks(response) == {world.household2.pk}


@pytest.mark.parametrize(
    ("model", "param", "target"),
    [
        (Building, "grid", "grid2"),
        (Household, "grid", "grid2"),
        (Household, "building", "building2"),
        (Resident, "grid", "grid2"),
        (Resident, "building", "building2"),
        (Visit, "grid", "grid2"),
        (Visit, "building", "building2"),
    ],
)
def test_filters_offer_and_apply_only_visible_choices(world, client, model, param, target):
    target = getattr(world, target)
    client.force_login(world.users["committee"])
    response = client.get(url(model), {param: target.pk})
    assert listed_pks(response) == {objects_of(world, model)[1].pk}

    client.force_login(world.users["grid_worker"])
    response = client.get(url(model), {param: target.pk})
    choices = response.context["filters"].form.fields[param].queryset
    assert target not in choices
    # An out-of-scope value is an invalid filter: ignored, never a way in.
    assert listed_pks(response) == {objects_of(world, model)[0].pk}


def test_special_group_filter(world, client):
    from anju.community.models import SpecialGroup

    low_income = SpecialGroup.objects.create(code="low", name="低保", sensitive=True)
    living_alone = SpecialGroup.objects.create(code="alone", name="独居")
    world.resident1.groups.add(low_income, living_alone)
    world.resident2.groups.add(living_alone)

    client.force_login(world.users["grid_worker"])
    response = client.get(url(Resident), {"special_group": living_alone.pk})
    assert listed_pks(response) == {world.resident1.pk}
    response = client.get(url(Household), {"special_group": low_income.pk})
    assert listed_pks(response) == {world.household1.pk}
    assert "低保" in response.content.decode()

    # Sensitive tags are not shown to view-only roles, nor offered as a filter.
    client.force_login(world.users["resident_rep"])
    response = client.get(url(Resident))
    assert "低保" not in response.content.decode()
    assert "独居" in response.content.decode()
    assert low_income not in response.context["filters"].form.fields["special_group"].queryset


# --- single objects -------------------------------------------------------------------


def _object_actions(model):
    actions = ["edit", "inspect", "delete", "history", "usage"]
    if model in (Building, Visit):
        actions.append("copy")
    return actions


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ["grid_worker", "resident_rep", "service_staff"])
def test_grid_2_objects_are_not_found_by_roles_outside_it(world, client, role, model):
    client.force_login(world.users[role])
    obj = objects_of(world, model)[1]
    for action in _object_actions(model):
        response = client.get(url(model, action, obj.pk))
        assert response.status_code == 404, (action, response.status_code)
    assert client.post(url(model, "delete", obj.pk)).status_code == 404
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_grid_2_household_cannot_be_changed_by_the_grid_worker(world, client):
    client.force_login(world.users["grid_worker"])
    household = world.household2
    data = {"building": world.building1.pk, "unit": "9单元", "room": "909", "note": "x"}
    response = client.post(url(Household, "edit", household.pk), data)
    assert response.status_code == 404
    household.refresh_from_db()
    assert (household.building_id, household.unit, household.room) == (
        world.building2.pk,
        "1单元",
        "201",
    )


def test_an_unknown_id_is_a_404(world, client):
    client.force_login(world.users["superuser"])
    for model in MODELS:
        assert client.get(url(model, "edit", 999_999)).status_code == 404


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_committee_opens_grid_2_objects(world, client, model):
    client.force_login(world.users["committee"])
    obj = objects_of(world, model)[1]
    for action in _object_actions(model):
        response = client.get(url(model, action, obj.pk))
        assert response.status_code == 200, (action, response.status_code)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_in_scope_objects_open_per_the_roles_model_permissions(world, client, model):
    obj = objects_of(world, model)[0]
    client.force_login(world.users["resident_rep"])  # view only
    assert client.get(url(model, "inspect", obj.pk)).status_code == 200
    assert_no_access(client.get(url(model, "edit", obj.pk)))
    assert_no_access(client.get(url(model, "delete", obj.pk)))

    client.force_login(world.users["grid_worker"])
    can_change = model in (Household, Resident, Visit)
    response = client.get(url(model, "edit", obj.pk))
    if can_change:
        assert response.status_code == 200
    else:
        assert_no_access(response)
    assert_no_access(client.get(url(model, "delete", obj.pk)))


def test_the_committee_deletes_in_any_grid_and_protected_rows_stay(world, client):
    client.force_login(world.users["committee"])
    response = client.post(url(Visit, "delete", world.visit2.pk))
    assert response.status_code == 302
    assert not Visit.objects.filter(pk=world.visit2.pk).exists()

    # A building with households cannot go: a message, not a server error.
    response = client.post(url(Building, "delete", world.building2.pk))
    assert response.status_code == 200
    assert Building.objects.filter(pk=world.building2.pk).exists()


# --- personal data in lists, inspect views and exports --------------------------------


def test_lists_and_inspect_show_masked_numbers_only(world, client):
    resident = world.resident1
    client.force_login(world.users["committee"])
    for response in (
        client.get(url(Resident)),
        client.get(url(Resident, "inspect", resident.pk)),
        client.get(url(Household, "inspect", world.household1.pk)),
    ):
        html = response.content.decode()
        assert resident.masked_id_number in html
        assert resident.id_number not in html
        assert resident.masked_phone in html
        assert resident.phone not in html


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(content)))


@pytest.mark.parametrize("model", [Household, Resident], ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ["grid_worker", "committee"])
def test_export_is_scoped(world, client, role, model):
    client.force_login(world.users[role])
    rows = _csv(client.get(url(model), {"export": "csv"}))
    ids = {int(row[0]) for row in rows[1:]}
    assert ids == expected_pks(world, model, role)
    text = repr(rows)
    assert world.household1.address in text
    assert (world.household2.address in text) == (role in SEES_GRID_2)


def test_resident_export_masks_id_and_phone_numbers(world, client):
    client.force_login(world.users["committee"])
    rows = _csv(client.get(url(Resident), {"export": "csv"}))
    text = repr(rows)
    for resident in (world.resident1, world.resident2):
        assert resident.masked_id_number in text
        assert resident.id_number not in text
        assert resident.masked_phone in text
        assert resident.phone not in text


def test_export_respects_search_and_filters(world, client):
    client.force_login(world.users["committee"])
    rows = _csv(client.get(url(Resident), {"export": "csv", "grid": world.grid2.pk}))
    assert [int(row[0]) for row in rows[1:]] == [world.resident2.pk]


def test_xlsx_export_is_scoped(world, client):
    from openpyxl import load_workbook

    client.force_login(world.users["grid_worker"])
    response = client.get(url(Resident), {"export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]
    assert world.resident1.name in values
    assert world.resident2.name not in values
    assert world.resident1.id_number not in values


# --- the permission policy and the route declarations ---------------------------------


def test_scope_aware_permission_policy(world):
    worker = world.users["grid_worker"]
    policy = policy_registry.get_by_type(Household)
    assert isinstance(policy, GridScopedPermissionPolicy)
    assert policy.user_has_permission_for_instance(worker, "change", world.household1)
    assert not policy.user_has_permission_for_instance(worker, "change", world.household2)
    assert not policy.user_has_any_permission_for_instance(
        worker, ["view", "change"], world.household2
    )
    assert list(policy.instances_user_has_any_permission_for(worker, ["view"])) == [
        world.household1
    ]
    may_change_2 = set(policy.users_with_permission_for_instance("change", world.household2))
    assert may_change_2 == {world.users["superuser"], world.users["committee"]}
    may_view_1 = set(policy.users_with_any_permission_for_instance(["view"], world.household1))
    assert {world.users[r] for r in ("grid_worker", "resident_rep")} <= may_view_1


def test_every_admin_route_of_ours_declares_its_scope():
    from django.urls import URLResolver, get_resolver

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                yield from walk(pattern.url_patterns, ns)
            else:
                yield namespace, pattern

    ours = [
        (ns, p)
        for ns, p in walk(get_resolver().url_patterns)
        if ns.startswith("community_") or p.name == "anju_my_grids"
    ]
    assert len(ours) > 40
    for namespace, pattern in ours:
        scope = scope_of(pattern.callback, None)
        expected = Scope.NO_GRID_DATA if namespace == "community_specialgroup" else Scope.GRID
        assert scope == expected, (namespace, pattern.name)
