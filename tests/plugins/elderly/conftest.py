import datetime

import pytest
from django.utils import timezone

from anju.community import SpecialGroup
from tests import factories as f


def years_ago(years: int, days: int = 10) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=1) - datetime.timedelta(days=days)


@pytest.fixture
def elders(world):
    """Elders of grid 1 (one living alone) and grid 2, and a younger resident."""
    alone, _ = SpecialGroup.objects.get_or_create(
        code=SpecialGroup.LIVING_ALONE, defaults={"name": "独居", "built_in": True}
    )
    household = f.HouseholdFactory(building=world.building1, unit="2单元", room="301")
    zhang = f.ResidentFactory(
        household=household, name="张桂兰", birth_date=years_ago(78), phone="13912345678"
    )
    zhang.groups.add(alone)
    li = f.ResidentFactory(
        household=world.household1,
        name="李福",
        birth_date=years_ago(85),
        phone="13700001111",
        relation="parent",
    )
    other = f.ResidentFactory(
        household=world.household2, name="赵大爷", birth_date=years_ago(72), phone="13600002222"
    )
    young = f.ResidentFactory(
        household=world.household1,
        name="王年轻",
        birth_date=years_ago(60),
        phone="13500003333",
        relation="child",
    )
    return type("Elders", (), {"zhang": zhang, "li": li, "other": other, "young": young})


def next_open_day(after: datetime.date | None = None) -> datetime.date:
    """The next weekday after ``after`` (today): the canteen serves Monday to Friday."""
    day = (after or timezone.localdate()) + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


@pytest.fixture
def tomorrow():
    """The next day the canteen serves lunch (a Monday when today is Friday)."""
    return next_open_day()
