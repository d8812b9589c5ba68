"""Eligibility from the register, enrolment with a waiting list, consent, and the
portal's enrolment form (a service form: the case's reference is the enrolment's)."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from anju.community import SpecialGroup
from anju.services import Case
from plugins.classroom import care
from plugins.classroom.models import Enrolment, Guardian
from tests import factories as f

from .conftest import group, make_child, make_class

pytestmark = pytest.mark.django_db


def test_a_child_whose_parent_works_away_has_priority(room):
    verdict = care.eligibility(room.child1, room.klass)
    assert verdict.ok and verdict.priority


def test_a_left_behind_child_has_priority(room, world):
    room.child2.groups.add(group(SpecialGroup.MIGRANT_CHILD))
    assert care.eligibility(room.child2, room.klass).priority


def test_another_child_may_come_without_priority(room):
    verdict = care.eligibility(room.child2, room.klass)
    assert verdict.ok and not verdict.priority


def test_an_adult_is_refused_in_chinese(room, world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    from django.utils import translation

    with translation.override("zh-hans"):
        verdict = care.eligibility(room.father_resident, room.klass)
    assert not verdict.ok
    assert "岁" in verdict.reason


def test_a_child_of_another_community_is_refused(room):
    other = f.HouseholdFactory()
    child = make_child(other, "外村娃")
    verdict = care.eligibility(child, room.klass)
    assert not verdict.ok


def test_past_capacity_goes_to_the_waiting_list_and_priority_moves_up_first(room, world):
    extra = make_child(world.household2, "李小草")
    first = care.enrol(room.klass, room.child2, consent_by="李奶奶")
    second = care.enrol(room.klass, extra, consent_by="李奶奶")
    assert {first.status, second.status} == {"enrolled"}
    waiting_plain = care.enrol(room.klass, make_child(world.household2, "李小树"), consent_by="李")
    waiting_priority = care.enrol(room.klass, room.child1, consent_by="张桂兰")
    assert waiting_plain.status == waiting_priority.status == "waiting"
    assert Enrolment.objects.filter(klass=room.klass, status="enrolled").count() == 2
    promoted = care.cancel(first)
    assert promoted == waiting_priority  # the child whose father works away, though later
    promoted.refresh_from_db()
    assert promoted.status == "enrolled"
    from anju.notify import Message

    assert (
        Message.objects.filter(
            dedup_key__startswith=f"classroom:enrolment:{promoted.pk}:place"
        ).count()
        == 2
    )


def test_consent_is_required(room):
    with pytest.raises(care.ClassroomError):
        care.enrol(room.klass, room.child1, consent_by="  ")
    assert not Enrolment.objects.exists()


def test_a_child_cannot_be_enrolled_twice(room):
    care.enrol(room.klass, room.child1, consent_by="张桂兰")
    with pytest.raises(care.ClassroomError):
        care.enrol(room.klass, room.child1, consent_by="张桂兰")


def _portal_post(room, world, **changes):
    data = {
        "klass": room.klass.pk,
        "child_name": "王小宝",
        "building": "1号楼",
        "room": "101",
        "household_phone_last4": world.resident1.phone[-4:],
        "guardian_name": "张桂兰",
        "relation": "grandmother",
        "guardian_phone": "13900001111",
        "parent_away_name": "王大力",
        "parent_away_relation": "father",
        "parent_away_phone": "13700002222",
        "consent": "on",
        "requester-requester_name": "张桂兰",
        "requester-requester_phone": "13900001111",
    }
    data.update(changes)
    return data


def test_a_guardian_enrols_on_the_portal_and_gets_a_reference(room, world, client):
    Guardian.objects.all().delete()
    url = reverse("classroom:service-form", kwargs={"form_slug": "enrol"})
    response = client.post(url, _portal_post(room, world))
    assert response.status_code == 200, response.content.decode()[:3000]
    enrolment = Enrolment.objects.get()
    case = Case.objects.get()
    assert enrolment.child == room.child1 and enrolment.priority
    assert enrolment.case == case and enrolment.reference == case.reference
    assert enrolment.consent_by == "张桂兰"
    assert case.grid_id == world.grid1.pk  # the child's grid worker follows it up
    assert case.reference[:4] in response.content.decode()
    guardians = {g.name: g for g in Guardian.objects.filter(child=room.child1)}
    assert guardians["张桂兰"].may_pick_up and not guardians["王大力"].may_pick_up
    assert guardians["王大力"].works_away and guardians["王大力"].masked_phone == "137****2222"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"household_phone_last4": "9876"}, "社区登记中没有"),
        ({"child_name": "不存在"}, "社区登记中没有"),
        ({"consent": ""}, "报名需要监护人同意"),
    ],
)
def test_the_portal_refuses_bad_input_and_files_nothing(room, world, client, change, expected):
    url = reverse("classroom:service-form", kwargs={"form_slug": "enrol"})
    response = client.post(url, _portal_post(room, world, **change))
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not Enrolment.objects.exists() and not Case.objects.exists()


def test_the_portal_explains_an_ineligible_child_in_chinese(room, world, client):
    make_child(world.household1, "王大宝", age=17)
    url = reverse("classroom:service-form", kwargs={"form_slug": "enrol"})
    response = client.post(
        url,
        _portal_post(room, world, child_name="王大宝"),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "岁" in response.content.decode()
    assert not Case.objects.exists()


def test_a_grid_worker_enrols_on_the_familys_behalf(room, world, client):
    client.force_login(world.users["grid_worker"])
    url = reverse("classroom_admin:children")
    response = client.post(
        url,
        {
            "child": room.child1.pk,
            "klass": room.klass.pk,
            "consent_by": "张桂兰",
            "guardian_relation": "grandmother",
            "guardian_phone": "13900001111",
        },
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get()
    assert enrolment.enrolled_by == world.users["grid_worker"]
    # a child of another grid is not a choice
    response = client.post(
        url,
        {
            "child": room.child2.pk,
            "klass": room.klass.pk,
            "consent_by": "李奶奶",
            "guardian_relation": "grandmother",
            "guardian_phone": "13900003333",
        },
    )
    assert response.status_code == 400
    assert not Enrolment.objects.filter(child=room.child2).exists()


def test_admin_enrolment_without_consent_is_refused(room, world, client):
    client.force_login(world.users["service_staff"])
    response = client.post(
        reverse("classroom_admin:children"),
        {
            "child": room.child2.pk,
            "klass": room.klass.pk,
            "consent_by": "",
            "guardian_relation": "grandmother",
            "guardian_phone": "13900003333",
        },
    )
    assert response.status_code == 400
    assert not Enrolment.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_enrolments_at_the_same_time_never_exceed_capacity(world):
    import datetime

    from django.utils import timezone

    from plugins.classroom.models import Term

    today = timezone.localdate()
    term = Term.objects.create(
        community=world.community,
        name="并发学期",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=10),
    )
    klass = make_class(term, capacity=3)
    children = [make_child(world.household1, f"并发{i}") for i in range(8)]
    barrier = threading.Barrier(len(children))
    errors = []

    def enrol(child):
        try:
            barrier.wait()
            care.enrol(klass, child, consent_by="监护人")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(c,)) for c in children]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Enrolment.objects.filter(klass=klass, status="enrolled").count() == 3
    assert Enrolment.objects.filter(klass=klass, status="waiting").count() == 5
