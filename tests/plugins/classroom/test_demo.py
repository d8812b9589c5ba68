"""The demo: a winter term with three classes, children from households with members
working away, two weeks of attendance; loading it twice adds nothing."""

import random

import pytest

from anju.community import SpecialGroup
from plugins.classroom.demo import load_demo
from plugins.classroom.models import Attendance, ClassGroup, Enrolment, Guardian, Term
from tests import factories as f

from .conftest import group, make_child, years_ago

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_winter_term_with_children_of_migrant_workers(world):
    for i in range(6):
        household = f.HouseholdFactory(building=world.building1, room=f"30{i}")
        f.ResidentFactory(household=household, name=f"奶奶{i}", birth_date=years_ago(66))
        parent = f.ResidentFactory(
            household=household, name=f"务工{i}", birth_date=years_ago(34), relation="child"
        )
        parent.groups.add(group(SpecialGroup.MIGRANT_WORKER))
        child = make_child(household, f"留守{i}", age=9)
        child.groups.add(group(SpecialGroup.MIGRANT_CHILD))
    out = []
    load_demo(random.Random(7), out, {"fuwu": world.users["service_staff"]})
    term = Term.objects.get()
    assert "冬季" in term.name and ClassGroup.objects.filter(term=term).count() == 3
    enrolments = Enrolment.objects.filter(klass__term=term)
    assert enrolments.count() == 6 and all(e.priority for e in enrolments)
    assert Guardian.objects.filter(works_away=True, may_pick_up=False).count() == 6
    assert Guardian.objects.filter(may_pick_up=True, relation="grandmother").count() == 6
    assert len(set(Attendance.objects.values_list("day", flat=True))) >= 8
    before = (Attendance.objects.count(), Enrolment.objects.count())
    load_demo(random.Random(7), out, {})
    assert Term.objects.count() == 1
    assert (Attendance.objects.count(), Enrolment.objects.count()) == before
