"""On PostgreSQL, with real concurrent connections: two bookings of one person for one
day make one meal; two taps on the counter make one check-in; two sign-ups for the last
place of an activity give one place and one waiting-list entry."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from plugins.elderly import activities, canteen
from plugins.elderly.models import Activity, Meal, SignUp

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(count, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_concurrent_bookings_make_one_meal(world, elders, tomorrow):
    results, errors = _race(4, lambda: canteen.book(elders.li, tomorrow))
    assert Meal.objects.filter(resident=elders.li, date=tomorrow).count() == 1
    assert len(results) == 1
    assert len(errors) == 3 and all(isinstance(e, canteen.BookingError) for e in errors)
    assert all("已经订过" in e.message or "already" in e.message for e in errors)


def test_concurrent_check_ins_make_one(world, elders):
    today = timezone.localdate()
    results, errors = _race(4, lambda: canteen.check_in(elders.other, today)[1])
    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert Meal.objects.filter(resident=elders.other, date=today).count() == 1


def test_last_place_goes_once(world, elders):
    starts = timezone.now() + datetime.timedelta(days=1)
    activity = Activity.objects.create(
        community=world.community,
        title="书法兴趣班",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        capacity=1,
    )
    people = iter([elders.li, elders.zhang])
    lock = threading.Lock()

    def sign():
        with lock:
            person = next(people)
        return activities.sign_up(activity, person)

    _results, errors = _race(2, sign)
    assert errors == []
    statuses = sorted(SignUp.objects.values_list("status", flat=True))
    assert statuses == ["confirmed", "waiting"]
