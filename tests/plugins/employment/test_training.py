"""Training courses: capacity, the waiting list (promotion on a cancellation), attendance
and completion; two enrolments at once never exceed the capacity (PostgreSQL)."""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from anju.notify.models import Message
from plugins.employment import training
from plugins.employment.models import Course, CourseSession, Enrolment
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(world):
    today = timezone.localdate()
    return Course.objects.create(
        title="家政服务员培训班",
        place="社区服务中心",
        schedule="每周二、四下午",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
        capacity=2,
        min_attendance=1,
    )


@pytest.fixture
def residents(world):
    return [world.resident1, world.resident2] + [
        f.ResidentFactory(household=world.household1, name=f"学员{i}") for i in range(3)
    ]


def test_enrolment_past_capacity_goes_to_the_waiting_list(course, residents):
    statuses = [training.enrol(course, r).status for r in residents[:4]]
    assert statuses == ["enrolled", "enrolled", "waiting", "waiting"]
    assert training.enrolled_count(course) == 2


def test_the_same_resident_cannot_enrol_twice(course, residents):
    training.enrol(course, residents[0])
    with pytest.raises(training.EnrolmentError):
        training.enrol(course, residents[0])


def test_a_cancellation_promotes_the_first_waiting(course, residents):
    first, second, waiting1, waiting2 = (training.enrol(course, r) for r in residents[:4])
    promoted = training.cancel(first)
    assert promoted == waiting1
    waiting1.refresh_from_db()
    waiting2.refresh_from_db()
    assert (waiting1.status, waiting2.status) == ("enrolled", "waiting")
    assert training.enrolled_count(course) == 2
    message = Message.objects.get(template="employment.course_place")
    assert message.phone == residents[2].phone
    # A waiting resident who cancels frees no place.
    assert training.cancel(waiting2) is None
    assert training.cancel(first) is None  # already cancelled: nothing happens
    # Cancelled residents may enrol again (to the waiting list, the course is full).
    assert training.enrol(course, residents[0]).status == "waiting"


def test_attendance_and_completion(course, residents):
    enrolment = training.enrol(course, residents[0])
    other = training.enrol(course, residents[1])
    session = CourseSession.objects.create(course=course, date=course.starts_on)
    with pytest.raises(training.EnrolmentError):
        training.complete(enrolment)  # not attended yet
    assert training.record_attendance(session, [enrolment, other]) == 2
    assert training.record_attendance(session, [enrolment]) == 1  # corrected
    assert enrolment.attendance.count() == 1 and other.attendance.count() == 0
    training.complete(enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == "completed" and enrolment.completed_at
    assert training.enrolled_count(course) == 2  # a completed resident keeps the place


def test_staff_enrol_and_cancel_in_the_admin(client, world, course, residents):
    client.force_login(world.users["service_staff"])
    url = reverse("employment_admin:course", kwargs={"pk": course.pk})
    for resident in residents[:3]:
        client.post(url, {"action": "enrol", "resident": resident.pk})
    page = client.get(url).content.decode()
    assert "学员0" in page.split("data-waiting")[1]
    first = Enrolment.objects.get(resident=residents[0])
    client.post(url, {"action": "cancel", "enrolment": first.pk})
    assert Enrolment.objects.get(resident=residents[2]).status == "enrolled"


def test_a_grid_worker_sees_and_enrols_only_their_grid(client, world, course, residents):
    training.enrol(course, world.resident2)  # grid 2
    client.force_login(world.users["grid_worker"])
    url = reverse("employment_admin:course", kwargs={"pk": course.pk})
    page = client.get(url).content.decode()
    assert world.resident2.name not in page
    response = client.post(url, {"action": "enrol", "resident": world.resident2.pk})
    assert response.status_code == 400  # not a choice: grid 2
    client.post(url, {"action": "enrol", "resident": world.resident1.pk})
    assert Enrolment.objects.filter(resident=world.resident1).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_enrolments_at_the_same_time_never_exceed_capacity(world):
    course = Course.objects.create(
        title="电工培训",
        place="社区",
        schedule="周末",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        capacity=3,
    )
    people = [f.ResidentFactory(household=world.household1, name=f"并发{i}") for i in range(8)]
    barrier = threading.Barrier(len(people))
    errors = []

    def enrol(resident):
        try:
            barrier.wait()
            training.enrol(course, resident)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(r,)) for r in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Enrolment.objects.filter(course=course, status="enrolled").count() == 3
    assert Enrolment.objects.filter(course=course, status="waiting").count() == 5
