"""What each plugin grants the roles above the community (issue 20): county staff read
every community's records, township staff their townships' communities', township desk
staff nothing of any plugin (only the cases routed to their desk) — and deny by default
still holds: a township user never sees another township's communities' records, a
township role without the township's list sees nothing.

Two communities in two townships (the county fixture of the roles tests), one
grid-scoped record of each plugin in each, read through each plugin's API list as
people use it; and every plugin's admin pages answer each new role without an error.
"""

import datetime

import pytest
from django.utils import timezone

from anju.plugins.registry import installed_plugins
from anju.plugins.testing import _argless_urls
from plugins.classroom.models import ClassGroup, Enrolment, Kind, Term
from plugins.elderly.models import Meal
from plugins.employment.models import JobSeeker
from plugins.safety import handling as safety
from tests import factories as f
from tests.platform.roles import test_county_and_townships as county_tests
from tests.plugins.disputes.conftest import file_dispute

county = county_tests.county  # the fixture: two communities in two townships, every role

pytestmark = pytest.mark.django_db

NEW_ROLES = ["county", "township_1", "township_2", "desk_1", "township_unlisted"]
#: role -> the communities whose records it sees; None: refused (403).
SEES = {
    "county": {"a", "b"},
    "township_1": {"a"},
    "township_2": {"b"},
    "desk_1": None,
    "township_unlisted": set(),
}


def _records(county):
    """{plugin: (API list URL, {community letter: the record's pk})}."""
    today = timezone.localdate()
    out = {}
    hazards = {}
    for letter, household, actor in (
        ("a", county.hh_a, county.users["committee"]),
        ("b", county.hh_b, county.users["committee_b"]),
    ):
        hazards[letter] = safety.file_hazard(household, item="sockets", actor=actor).pk
    out["safety"] = ("/api/safety/hazards/", hazards)
    out["disputes"] = (
        "/api/disputes/",
        {
            "a": file_dispute(county.hh_a).pk,
            "b": file_dispute(county.hh_b, name="李大红", phone="13800000003").pk,
        },
    )
    out["employment"] = (
        "/api/employment/seekers/",
        {
            letter: JobSeeker.objects.create(
                resident=resident, wished_place="either", min_pay=None, tags=[]
            ).pk
            for letter, resident in (("a", county.res_a), ("b", county.res_b))
        },
    )
    out["elderly"] = (
        "/api/elderly/meals/",
        {
            letter: Meal.objects.create(resident=resident, date=today).pk
            for letter, resident in (("a", county.res_a), ("b", county.res_b))
        },
    )
    enrolments = {}
    for letter, community, household in (
        ("a", county.a, county.hh_a),
        ("b", county.b, county.hh_b),
    ):
        term = Term.objects.create(
            community=community,
            name="寒假班",
            starts_on=today - datetime.timedelta(days=5),
            ends_on=today + datetime.timedelta(days=30),
        )
        klass = ClassGroup.objects.create(
            term=term,
            title="作业辅导班",
            weekdays="1,2,3,4,5",
            kind=Kind.HOMEWORK,
            starts_at=datetime.time(16, 0),
            ends_at=datetime.time(18, 0),
            room="二楼",
            capacity=5,
        )
        child = f.ResidentFactory(
            household=household,
            name=f"小{letter}",
            birth_date=today.replace(year=today.year - 8),
            relation="grandchild",
            phone=None,
        )
        enrolments[letter] = Enrolment.objects.create(
            klass=klass,
            child=child,
            status=Enrolment.Status.ENROLLED,
            consent_by="家长",
            consent_at=timezone.now(),
        ).pk
    out["classroom"] = ("/api/classroom/enrolments/", enrolments)
    return out


#: The in-tree plugins (the test suite also installs a dummy plugin of its own).
PLUGINS = ("safety", "disputes", "employment", "elderly", "classroom")


def test_every_in_tree_plugin_is_installed():
    assert set(PLUGINS) <= set(installed_plugins())


@pytest.mark.parametrize("role", NEW_ROLES)
def test_each_plugins_records_per_role_and_township(county, client, role):
    records = _records(county)
    client.force_login(county.users[role])
    for plugin, (url, by_letter) in records.items():
        response = client.get(url, {"page_size": 100}, HTTP_ACCEPT="application/json")
        expected = SEES[role]
        if expected is None:
            assert response.status_code == 403, (role, plugin, response.status_code)
            continue
        assert response.status_code == 200, (role, plugin, response.status_code)
        got = {row["id"] for row in response.json()["results"]}
        assert got == {by_letter[letter] for letter in expected}, (role, plugin)


@pytest.mark.parametrize("role", ["county", "township_1"])
def test_they_read_but_do_not_act(county, role):
    """Read-only: no plugin grants the jurisdiction roles a change, add or delete."""
    user = county.users[role]
    perms = user.get_all_permissions()
    for label in PLUGINS:
        theirs = {p for p in perms if p.startswith(f"{label}.")}
        assert theirs, (role, label)  # every plugin grants them something to read
        assert all(p.split(".", 1)[1].startswith("view_") for p in theirs), (role, theirs)


def test_desk_staff_get_nothing_of_any_plugin(county):
    perms = county.users["desk_1"].get_all_permissions()
    assert not {p for p in perms if p.split(".", 1)[0] in installed_plugins()}


@pytest.mark.parametrize("role", NEW_ROLES)
def test_every_plugin_admin_page_answers_the_new_roles(county, client, role):
    _records(county)
    client.force_login(county.users[role])
    for label in installed_plugins():
        for url in _argless_urls(label, "admin/"):
            status = client.get(url).status_code
            assert status in (200, 302, 403), (role, url, status)
