"""Fixtures for the classroom: a term of the world's community with one class, children
in grid 1 (a parent working away) and grid 2 (no priority), and their guardians."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from anju.community import SpecialGroup
from plugins.classroom.models import ClassGroup, Guardian, Kind, Term, Volunteer
from tests import factories as f


def group(code):
    return SpecialGroup.objects.get_or_create(
        code=code, defaults={"name": SpecialGroup.BUILT_IN[code], "built_in": True}
    )[0]


def years_ago(years: int, days: int = 10) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def make_class(term, *, capacity=2, title="作业辅导班", weekdays="1,2,3,4,5,6,7", **fields):
    values = {
        "kind": Kind.HOMEWORK,
        "starts_at": datetime.time(16, 0),
        "ends_at": datetime.time(18, 0),
        "room": "党群服务中心二楼",
        "capacity": capacity,
    }
    values.update(fields)
    return ClassGroup.objects.create(term=term, title=title, weekdays=weekdays, **values)


def make_child(household, name, age=8, **fields):
    return f.ResidentFactory(
        household=household,
        name=name,
        birth_date=years_ago(age),
        relation="grandchild",
        phone=None,
        **fields,
    )


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PORTAL_CACHE_SECONDS = 0


@pytest.fixture
def room(world):
    """``room.term``, ``room.klass`` (capacity 2), ``room.child1`` (grid 1, father
    working away), ``room.child2`` (grid 2, no priority), ``room.grandma`` (child 1's
    pick-up guardian) and ``room.father`` (working away, gets the SMS)."""
    today = timezone.localdate()
    term = Term.objects.create(
        community=world.community,
        name="寒假班",
        starts_on=today - datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=40),
    )
    volunteer = Volunteer.objects.create(community=world.community, name="陈老师", is_teacher=True)
    klass = make_class(term, in_charge=volunteer)
    father = f.ResidentFactory(
        household=world.household1, name="王大力", birth_date=years_ago(35), relation="child"
    )
    father.groups.add(group(SpecialGroup.MIGRANT_WORKER))
    child1 = make_child(world.household1, "王小宝")
    child2 = make_child(world.household2, "李小花")
    grandma = Guardian.objects.create(
        child=child1, name="张桂兰", relation=Guardian.Relation.GRANDMOTHER, phone="13900001111"
    )
    dad = Guardian.objects.create(
        child=child1,
        name="王大力",
        relation=Guardian.Relation.FATHER,
        phone="13700002222",
        may_pick_up=False,
        works_away=True,
    )
    return SimpleNamespace(
        term=term,
        klass=klass,
        volunteer=volunteer,
        child1=child1,
        child2=child2,
        grandma=grandma,
        father=dad,
        father_resident=father,
    )
