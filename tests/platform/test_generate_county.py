"""``manage.py generate_county``: the benchmarks' county, here at a small size — every
row where it belongs, valid and encrypted ID numbers, grid workers who see their own
grid only."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from anju.community.idnumbers import validate_id_number
from anju.community.models import (
    Community,
    Grid,
    GridTeamMember,
    Household,
    Resident,
    Visit,
    id_number_digest,
)
from anju.services.models import Case

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


def test_refuses_to_generate_twice():
    _generate(communities=1, households=2, visits=1, cases=1)
    with pytest.raises(CommandError):
        _generate(communities=1, households=2, visits=1, cases=1)
