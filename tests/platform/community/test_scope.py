import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju.community.models import Building, Community, Grid, Household, Resident, Visit
from anju.permissions import scope
from anju.permissions.models import CommunityUserObjectPermission, GridUserObjectPermission
from tests.conftest import SEES_COMMUNITY_DATA, SEES_GRID_2
from tests.factories import GridFactory, UserFactory, seat

pytestmark = pytest.mark.django_db

MODELS = (Grid, Building, Household, Resident, Visit)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    "role", ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident"]
)
def test_each_role_sees_exactly_its_grids(world, role, model):
    user = world.users[role]
    visible = scope.scope_queryset(model.objects.all(), user)
    grid_of = {
        Grid: lambda o: o,
        Building: lambda o: o.grid,
        Household: lambda o: o.building.grid,
        Resident: lambda o: o.household.building.grid,
        Visit: lambda o: o.household.building.grid,
    }[model]
    grids = {grid_of(o).pk for o in visible}
    expected = set()
    if role in SEES_COMMUNITY_DATA:
        expected.add(world.grid1.pk)
    if role in SEES_GRID_2:
        expected.add(world.grid2.pk)
    assert grids == expected


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not scope.scope_queryset(Household.objects.all(), AnonymousUser()).exists()


def test_scoping_is_one_query_whatever_the_size(world):
    """The person's grids are read once (per user object, that is per request), then
    each scoped list is one query, however many grids and rows."""
    user = world.users["grid_worker"]
    for _ in range(3):
        GridFactory(community=world.community)
    with CaptureQueriesContext(connection) as queries:
        list(scope.scope_queryset(Resident.objects.all(), user))
        list(scope.scope_queryset(Household.objects.all(), user))
    assert len(queries) == 3


def test_changed_grants_are_seen_after_forget(world):
    user = world.users["grid_worker"]
    assert set(scope.visible_grid_ids(user)) == {world.grid1.pk}
    seat = world.grid1.team.get(user=user)
    seat.delete()  # grants follow the team at once (anju.permissions.grants)
    scope.forget(user)
    assert scope.visible_grid_ids(user) == []
    assert not scope.scope_queryset(Resident.objects.all(), user).exists()


def test_community_visible_through_any_of_its_grids(world):
    assert list(scope.scope_queryset(Community.objects.all(), world.users["grid_worker"])) == [
        world.community
    ]
    assert not scope.scope_queryset(Community.objects.all(), world.users["service_staff"]).exists()


def test_a_seat_grants_and_its_removal_revokes(world):
    newcomer = UserFactory(username="newcomer")
    assert not scope.can_see(newcomer, world.household2)
    member = seat(newcomer, world.grid2)
    assert GridUserObjectPermission.objects.filter(user=newcomer).count() == 1
    scope.forget(newcomer)
    assert scope.can_see(newcomer, world.household2)
    assert not scope.can_see(newcomer, world.household1)
    member.delete()
    scope.forget(newcomer)
    assert not scope.can_see(newcomer, world.household2)
    assert not GridUserObjectPermission.objects.filter(user=newcomer).exists()


def test_moving_a_seat_to_another_grid_moves_the_grant(world):
    worker = world.users["grid_worker"]
    member = worker.grid_seats.get()
    member.grid = world.grid2
    member.save()
    scope.forget(worker)
    assert scope.can_see(worker, world.household2)
    assert not scope.can_see(worker, world.household1)


def test_committee_seat_grants_the_whole_community_until_it_goes(world):
    committee = world.users["committee"]
    assert CommunityUserObjectPermission.objects.filter(user=committee).count() == 1
    committee.grid_seats.all().delete()
    scope.forget(committee)
    assert not CommunityUserObjectPermission.objects.filter(user=committee).exists()
    assert not scope.scope_queryset(Household.objects.all(), committee).exists()


def test_grid_restricted_roles(world):
    restricted = {r for r, u in world.users.items() if scope.is_grid_restricted(u)}
    assert restricted == {"grid_worker", "resident_rep", "partner_staff"}
