"""The plugin's demo data: plausible, and idempotent (loading it twice adds nothing)."""

import datetime
import random

import pytest

from anju.community.models import SpecialGroup
from anju.services.models import Case
from plugins.employment.demo import DRIVE, load_demo
from plugins.employment.models import (
    Course,
    Enrolment,
    JobPostingPage,
    JobSeeker,
    MigrantWork,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_load_demo_twice_adds_nothing(world):
    group, _ = SpecialGroup.objects.get_or_create(
        code=SpecialGroup.MIGRANT_WORKER, defaults={"name": "外出务工", "built_in": True}
    )
    for i in range(6):
        resident = f.ResidentFactory(
            household=world.household1, name=f"务工{i}", birth_date=datetime.date(1990, 1, 1)
        )
        resident.groups.add(group)
    for i in range(16):
        f.ResidentFactory(
            household=world.household2, name=f"居民{i}", birth_date=datetime.date(1985, 6, 1)
        )
    ctx = {"wanggeyuan1": world.users["grid_worker"], "fuwu": world.users["service_staff"]}

    def counts():
        return [
            m.objects.count()
            for m in (JobPostingPage, JobSeeker, MigrantWork, Course, Enrolment, Case)
        ]

    out = []
    load_demo(random.Random(1), out, ctx)
    first = counts()
    assert first[0] >= 6 and all(first), (first, out)
    assert JobPostingPage.objects.filter(drive__startswith=DRIVE).count() >= 2
    assert JobPostingPage.objects.filter(place="away").exists()
    assert Enrolment.objects.filter(status="waiting").exists()
    assert Case.objects.filter(on_behalf=True).exists()
    load_demo(random.Random(1), [], ctx)
    assert counts() == first
