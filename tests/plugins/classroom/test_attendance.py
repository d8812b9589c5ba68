"""The door: check-in and check-out in one tap, the guardians' SMS exactly once, the
pick-up list enforced and refusals flagged; absent children become call tasks; class
notices reach the guardians of one class."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from anju.notify import Message
from plugins.classroom import care
from plugins.classroom.models import Attendance, CallTask, Guardian, PickupFlag
from plugins.classroom.tasks import flag_absences

from .conftest import make_child

pytestmark = pytest.mark.django_db


def at(hour, minute, day=None):
    day = day or timezone.localdate()
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def enrolled(room):
    return care.enrol(room.klass, room.child1, consent_by="张桂兰")


def sms_to(phone):
    return [m for m in Message.objects.filter(channel="sms") if m.phone == phone]


def test_check_in_tells_the_guardian_and_the_parent_away_once(room, enrolled):
    care.check_in(enrolled, now=at(16, 5))
    attendance, created = care.check_in(enrolled, now=at(16, 6))  # a double tap
    assert not created and Attendance.objects.count() == 1
    assert timezone.localtime(attendance.checked_in_at).strftime("%H:%M") == "16:05"
    for phone in ("13900001111", "13700002222"):
        messages = sms_to(phone)
        assert len(messages) == 1
        assert messages[0].template == care.ARRIVED
        assert messages[0].payload == {"child": "王小宝", "time": "16:05"}


def test_the_sms_reads_in_chinese(room, enrolled):
    from anju.notify import render

    care.check_in(enrolled, now=at(16, 5))
    care.check_out(enrolled, guardian=room.grandma, now=at(18, 10))
    texts = []
    for message in sms_to("13700002222"):
        rendered = render(message.template, message.payload, language="zh-hans")
        texts.append(rendered[1] if isinstance(rendered, tuple) else str(rendered))
    assert any("到达 16:05" in text for text in texts), texts
    assert any("由奶奶接走 18:10" in text for text in texts), texts


def test_check_out_by_a_listed_guardian_once(room, enrolled):
    care.check_in(enrolled, now=at(16, 5))
    care.check_out(enrolled, guardian=room.grandma, now=at(18, 10))
    again = care.check_out(enrolled, guardian=room.grandma, now=at(18, 11))
    assert timezone.localtime(again.checked_out_at).strftime("%H:%M") == "18:10"
    assert again.picked_up_by == room.grandma
    assert len([m for m in sms_to("13700002222") if m.template == care.PICKED_UP]) == 1


def test_check_out_by_someone_not_on_the_list_is_refused_and_flagged(room, enrolled):
    care.check_in(enrolled, now=at(16, 5))
    with pytest.raises(care.PickupRefused):
        care.check_out(enrolled, person="陌生人", now=at(18, 0))
    with pytest.raises(care.PickupRefused):  # the father is away: not on the pick-up list
        care.check_out(enrolled, guardian=room.father, now=at(18, 1))
    other = Guardian.objects.create(
        child=room.child2, name="李奶奶", relation="grandmother", phone="13900003333"
    )
    with pytest.raises(care.PickupRefused):  # another child's guardian
        care.check_out(enrolled, guardian=other, now=at(18, 2))
    assert Attendance.objects.get().checked_out_at is None
    assert list(PickupFlag.objects.values_list("person", flat=True).order_by("pk")) == [
        "陌生人",
        "王大力",
        "李奶奶",
    ]
    assert not [m for m in Message.objects.all() if m.template == care.PICKED_UP]


def test_the_door_page_in_two_taps(room, enrolled, world, client):
    client.force_login(world.users["service_staff"])
    url = reverse("classroom_admin:door_class", kwargs={"pk": room.klass.pk})
    page = client.get(url)
    assert page.status_code == 200 and "王小宝" in page.content.decode()
    for _tap in range(2):
        response = client.post(url, {"enrolment": enrolled.pk, "action": "in"})
        assert response.status_code == 302
    assert Attendance.objects.count() == 1
    assert len(sms_to("13900001111")) == 1
    response = client.post(
        url, {"enrolment": enrolled.pk, "action": "out", "guardian": "", "person": "陌生人"}
    )
    assert response.status_code == 302
    assert PickupFlag.objects.filter(person="陌生人").exists()
    assert Attendance.objects.get().checked_out_at is None
    client.post(url, {"enrolment": enrolled.pk, "action": "out", "guardian": room.grandma.pk})
    assert Attendance.objects.get().picked_up_by == room.grandma
    # Both taps' texts are the child's community's: its committee sees them in the outbox.
    door = Message.objects.filter(template__in=[care.ARRIVED, care.PICKED_UP])
    assert {m.template for m in door} == {care.ARRIVED, care.PICKED_UP}
    assert set(door.values_list("community_id", flat=True)) == {room.child1.community_id}
    calls = client.get(reverse("classroom_admin:calls")).content.decode()
    assert "陌生人" in calls


def test_absent_children_become_call_tasks_once(room, enrolled, world):
    late = care.enrol(room.klass, make_child(world.household1, "王小二"), consent_by="张桂兰")
    care.check_in(enrolled, now=at(16, 2))
    assert care.flag_absences(now=at(16, 20)) == 0  # before the set time
    assert care.flag_absences(now=at(16, 31)) == 1
    care.flag_absences(now=at(16, 45))
    flag_absences.delay()  # the beat task, in-process without a broker
    assert list(CallTask.objects.values_list("enrolment_id", flat=True)) == [late.pk]


def test_no_call_on_a_day_without_class(room, enrolled):
    room.klass.weekdays = str((timezone.localdate().isoweekday() % 7) + 1)
    room.klass.save()
    assert care.flag_absences(now=at(17, 0)) == 0


def test_staff_mark_a_call_done(room, enrolled, world, client):
    care.flag_absences(now=at(17, 0))
    call = CallTask.objects.get()
    client.force_login(world.users["service_staff"])
    client.post(reverse("classroom_admin:calls"), {"call": call.pk, "outcome": "奶奶说孩子感冒了"})
    call.refresh_from_db()
    assert call.done_at and call.outcome == "奶奶说孩子感冒了"


def test_a_class_notice_reaches_only_that_class(room, enrolled, world, client):
    from .conftest import make_class

    other = make_class(room.term, title="美术班")
    care.enrol(other, room.child2, consent_by="李奶奶")
    Guardian.objects.create(
        child=room.child2, name="李奶奶", relation="grandmother", phone="13900003333"
    )
    client.force_login(world.users["service_staff"])
    response = client.post(
        reverse("classroom_admin:notices"), {"klass": room.klass.pk, "text": "周五停课一天"}
    )
    assert response.status_code == 302
    notices = [m for m in Message.objects.all() if m.template == care.NOTICE]
    assert sorted(m.phone for m in notices) == ["13700002222", "13900001111"]
    response = client.post(reverse("classroom_admin:notices"), {"klass": room.klass.pk, "text": ""})
    assert response.status_code == 400
