"""ID and phone numbers: validated, unique per community, encrypted at rest, masked."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from anju.community.idnumbers import make_id_number
from anju.community.models import Resident
from tests.factories import CommunityFactory, GridFactory, HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def _raw(resident, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM community_resident WHERE id = %s", [resident.pk])
        return cursor.fetchone()[0]


def test_id_and_phone_numbers_are_encrypted_at_rest():
    resident = ResidentFactory(phone="13812345678")
    raw_id, raw_phone = _raw(resident, "id_number"), _raw(resident, "phone")
    assert resident.id_number not in raw_id and "13812345678" not in raw_phone
    assert raw_id.startswith("gAAAA")  # a Fernet token
    fresh = Resident.objects.get(pk=resident.pk)
    assert fresh.id_number == resident.id_number
    assert fresh.phone == "13812345678"
    assert fresh.masked_id_number == resident.id_number[:4] + "*" * 10 + resident.id_number[-4:]


def test_digest_finds_a_number_without_decrypting():
    from anju.community.models import id_number_digest

    resident = ResidentFactory()
    assert Resident.objects.get(id_number_digest=id_number_digest(resident.id_number)) == resident
    assert resident.id_number not in _raw(resident, "id_number_digest")


def _candidate(household, **overrides):
    born = datetime.date(1958, 3, 9)
    values = {
        "household": household,
        "name": "赵四",
        "gender": "M",
        "birth_date": born,
        "id_number": make_id_number("411421", born, 31),
        "phone": "13900001111",
    }
    values.update(overrides)
    return Resident(**values)


def test_a_valid_resident_passes_full_clean():
    _candidate(HouseholdFactory()).full_clean()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "110105194912310021"}, "id_number"),  # check digit
        ({"id_number": "110105194902300028"}, "id_number"),  # 30 February
        ({"birth_date": datetime.date(1958, 3, 10)}, "birth_date"),  # disagrees with ID
        ({"phone": "12345"}, "phone"),
    ],
)
def test_bad_values_are_field_errors(overrides, field):
    with pytest.raises(ValidationError) as error:
        _candidate(HouseholdFactory(), **overrides).full_clean()
    assert field in error.value.message_dict


def test_an_id_number_is_unique_within_a_community_only():
    first = ResidentFactory()
    same_community = HouseholdFactory(building__grid=first.household.building.grid)
    with pytest.raises(ValidationError) as error:
        _candidate(
            same_community, id_number=first.id_number, birth_date=first.birth_date
        ).full_clean()
    assert "id_number" in error.value.message_dict
    other_community = HouseholdFactory(
        building__grid=GridFactory(community=CommunityFactory(code="other"))
    )
    _candidate(other_community, id_number=first.id_number, birth_date=first.birth_date).full_clean()


def test_the_database_also_refuses_a_duplicate():
    from django.db import IntegrityError, transaction

    first = ResidentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentFactory(
            household=first.household, id_number=first.id_number, birth_date=first.birth_date
        )


def test_aged_70_plus_is_derived_from_the_birth_date():
    today = datetime.date.today()
    old = ResidentFactory(
        birth_date=today.replace(year=today.year - 70) - datetime.timedelta(days=1)
    )
    young = ResidentFactory(
        birth_date=today.replace(year=today.year - 70) + datetime.timedelta(days=1)
    )
    assert old.is_aged_70_plus and not young.is_aged_70_plus
    assert list(Resident.objects.aged_70_plus()) == [old]


def test_community_follows_the_household():
    resident = ResidentFactory()
    elsewhere = HouseholdFactory(
        building__grid=GridFactory(community=CommunityFactory(code="elsewhere"))
    )
    resident.household = elsewhere
    resident.save()
    resident.refresh_from_db()
    assert resident.community == elsewhere.building.grid.community
