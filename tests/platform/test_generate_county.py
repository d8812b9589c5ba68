"""``manage.py generate_county``: the benchmarks' county, here at a small size — every
row where it belongs, valid and encrypted ID numbers, grid workers who see their own
grid only; townships with their communities, staff and desks, residents' 户籍地, the
demo's plugins switched on, desk cases routed to their township."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from anju.community.idnumbers import validate_id_number
from anju.community.models import (
    Community,
    Grid,
    GridTeamMember,
    Household,
    Resident,
    Township,
    Visit,
    id_number_digest,
)
from anju.plugins.activation import active_plugins
from anju.plugins.models import PluginActivation
from anju.plugins.registry import installed_plugins
from anju.services.models import Case, HandlerRole

pytestmark = pytest.mark.django_db


def _generate(**sizes):
    args = []
    for name, value in sizes.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    call_command("generate_county", *args, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_a_small_county(django_assert_max_num_queries):
    _generate(communities=3, households=60, visits=300, cases=45, batch=25)
    assert Community.objects.filter(code__startswith="county-").count() == 3
    assert Grid.objects.count() == 15
    assert Household.objects.count() == 60
    assert Resident.objects.count() == 180
    assert Visit.objects.count() == 300
    assert Case.objects.count() == 45
    # Every grid has its own households, cases and a grid worker.
    assert set(Household.objects.values_list("building__grid_id", flat=True)) == set(
        Grid.objects.values_list("pk", flat=True)
    )
    resident = Resident.objects.order_by("pk")[17]
    validate_id_number(resident.id_number)  # a real check digit, read back decrypted
    assert Resident.objects.get(id_number_digest=id_number_digest(resident.id_number)) == resident
    assert resident.community_id == resident.household.building.grid.community_id
    case = Case.objects.order_by("pk").first()
    assert case.grid_id == case.household.building.grid_id
    assert case.community_id == case.grid.community_id

    # A generated grid worker sees their own grid's households only, in constant queries.
    seat = GridTeamMember.objects.select_related("grid").first()
    client = Client()
    client.force_login(seat.user)
    response = client.get("/api/community/households/")
    assert response.status_code == 200
    body = response.json()
    own = Household.objects.filter(building__grid=seat.grid).count()
    assert body["count"] == own == 4


def test_townships_their_staff_and_desks_and_the_plugins():
    _generate(townships=2, communities=4, households=80, visits=10, cases=40, batch=30)
    t1, t2 = Township.objects.filter(code__startswith="county-").order_by("code")
    assert [c.township for c in Community.objects.order_by("code")] == [t1, t1, t2, t2]
    # 户籍地: mostly the resident's own township, one in ten the other.
    residents = list(Resident.objects.values_list("community__township_id", "hukou_township_id"))
    elsewhere = [r for r in residents if r[0] != r[1]]
    assert all(hukou is not None for _own, hukou in residents)
    assert 0 < len(elsewhere) <= len(residents) // 10 + 1
    # The plugins the demo switches on, for every community.
    labels = {label for label, config in installed_plugins().items() if config.default_enabled}
    assert labels
    for community in Community.objects.all():
        assert (
            set(
                PluginActivation.objects.filter(community=community, enabled=True).values_list(
                    "plugin", flat=True
                )
            )
            == labels
        )
        assert active_plugins(community) >= labels
    # A tenth of the cases are the desk's: routed to the community's township, waiting.
    desk_cases = Case.objects.filter(service__handler_role=HandlerRole.TOWNSHIP)
    assert desk_cases.count() == 4
    assert all(c.township_id == c.community.township_id for c in desk_cases)
    assert not desk_cases.exclude(assignee=None).exists()
    assert (
        not Case.objects.exclude(service__handler_role=HandlerRole.TOWNSHIP)
        .exclude(township=None)
        .exists()
    )

    # The accounts see what their roles and lists say.
    def seen(username, path):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        response = client.get(path, {"page_size": 100})
        assert response.status_code == 200, (username, path)
        return response.json()["count"]

    assert seen("county-xian", "/api/community/households/") == 80
    assert (
        seen("county-t01-staff", "/api/community/households/")
        == Household.objects.filter(building__grid__community__township=t1).count()
    )
    assert (
        seen("county-t01-staff", "/api/services/cases/")
        == Case.objects.filter(community__township=t1).count()
    )
    assert seen("county-t02-desk", "/api/services/cases/") == desk_cases.filter(township=t2).count()


def test_no_townships():
    _generate(townships=0, communities=1, households=10, visits=1, cases=10)
    assert not Township.objects.exists()
    assert Community.objects.get().township is None
    assert not Case.objects.exclude(township=None).exists()


def test_refuses_to_generate_twice():
    _generate(communities=1, households=2, visits=1, cases=1)
    with pytest.raises(CommandError):
        _generate(communities=1, households=2, visits=1, cases=1)
