"""The Anjuyuan demo: the community's real figures, valid data, deterministic."""

import datetime
import hashlib
import random

import pytest
from django.core.management import call_command
from django.db.models import F

from anju.community.idnumbers import birth_date_of, validate_id_number
from anju.community.models import (
    Building,
    Community,
    Grid,
    GridTeamMember,
    Household,
    Resident,
    SpecialGroup,
    Visit,
)
from anju.demo import community as demo
from anju.permissions import scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_loaded():
    call_command("load_demo", stdout=open("/dev/null", "w"))


def _fingerprint() -> str:
    # A total order: two residents of one room may share a name and relation, and
    # PostgreSQL returns ties in any order.
    rows = Resident.objects.order_by(
        "household__building__name",
        "household__unit",
        "household__room",
        "relation",
        "name",
        "id_number_digest",
    ).values_list(
        "name",
        "gender",
        "birth_date",
        "relation",
        "household__building__name",
        "household__unit",
        "household__room",
        "id_number_digest",
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_the_community_has_its_real_figures(demo_loaded):
    community = Community.objects.get(code=demo.CODE)
    assert Grid.objects.filter(community=community).count() == 5
    assert Household.objects.count() == 870
    assert Resident.objects.count() == 2453
    for grid in Grid.objects.all():
        seats = set(GridTeamMember.objects.filter(grid=grid).values_list("role", flat=True))
        assert seats == {"committee", "grid_worker", "resident_rep"}


def test_every_resident_is_valid(demo_loaded):
    digests = set()
    for resident in Resident.objects.all():
        validate_id_number(resident.id_number)
        assert birth_date_of(resident.id_number) == resident.birth_date
        assert (int(resident.id_number[16]) % 2 == 1) == (resident.gender == "M")
        digests.add(resident.id_number_digest)
    assert len(digests) == 2453  # unique within the community
    # A sample through the full model validation (ID, phone, birth date agreement).
    for resident in random.Random(1).sample(list(Resident.objects.all()), 40):
        resident.full_clean()


def test_every_household_has_a_head_living_in_it(demo_loaded):
    assert not Household.objects.filter(head__isnull=True).exists()
    assert not Household.objects.exclude(head__household_id=F("pk")).exists()


def test_special_groups_in_plausible_shares(demo_loaded):
    def share(code):
        return Resident.objects.filter(groups__code=code).count() / 2453

    assert 0.01 < share(SpecialGroup.LOW_INCOME) < 0.05
    assert 0 < share(SpecialGroup.FIVE_GUARANTEE) < 0.01
    assert 0.01 < share(SpecialGroup.DISABLED) < 0.05
    assert 0.02 < share(SpecialGroup.LIVING_ALONE) < 0.1
    assert 0.08 < share(SpecialGroup.MIGRANT_WORKER) < 0.3
    assert 0 < share(SpecialGroup.MIGRANT_CHILD) < 0.15
    aged = Resident.objects.aged_70_plus().count() / 2453
    assert 0.05 < aged < 0.3


def test_visits_cover_the_last_three_months(demo_loaded):
    today = datetime.date.today()
    first = Visit.objects.earliest("visited_on").visited_on
    last = Visit.objects.latest("visited_on").visited_on
    assert today - datetime.timedelta(days=92) <= first <= today - datetime.timedelta(days=60)
    assert today - datetime.timedelta(days=20) <= last <= today
    assert Visit.objects.filter(follow_up_needed=True, follow_up_done_at__isnull=True).exists()
    # Each visit is by the grid worker of the household's grid.
    assert not Visit.objects.exclude(
        visitor__grid_seats__grid=F("household__building__grid"),
        visitor__grid_seats__role="grid_worker",
    ).exists()


def test_grid_workers_see_only_their_grid(demo_loaded):
    from django.contrib.auth import get_user_model

    worker = get_user_model().objects.get(username="wanggeyuan1")
    visible = scope.scope_queryset(Household.objects.all(), worker)
    assert visible.count() == 174
    assert set(visible.values_list("building__grid__number", flat=True)) == {1}


def test_load_is_deterministic(demo_loaded):
    first = _fingerprint()
    _delete_what_protects_residents()
    Visit.objects.all().delete()
    Household.objects.update(head=None)
    Resident.objects.all().delete()
    Household.objects.all().delete()
    Building.objects.all().delete()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert _fingerprint() == first


def _delete_what_protects_residents():
    """Plugins' demo records (meals, enrolments, ...) keep their residents with PROTECT:
    delete those rows first, whatever plugins are installed."""
    from django.apps import apps
    from django.db.models import PROTECT

    for model in apps.get_models():
        for field in model._meta.fields:
            if (
                field.is_relation
                and field.related_model is Resident
                and field.remote_field.on_delete is PROTECT
            ):
                model._default_manager.all().delete()
