"""The days the canteen serves (public holidays, 调休) and booking signed in with an
account linked to the register, through the portal's and the admin's forms."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from anju.community.models import ResidentLink
from plugins.elderly import canteen, welfare
from plugins.elderly.models import CanteenDay, Meal, WelfareCheck
from tests import factories as f

from .conftest import next_open_day

pytestmark = pytest.mark.django_db


def _identity(resident, room="301"):
    return {
        "name": resident.name,
        "building": resident.household.building_id,
        "room": room,
        "phone_last4": resident.phone[-4:],
    }


def _next(weekday: int) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day


# --- closures and extra days ---------------------------------------------------------------


def test_a_public_holiday_cannot_be_booked(world, elders, client, tomorrow):
    CanteenDay.objects.create(date=tomorrow, reason="国庆节")
    data = _identity(elders.zhang) | {"date": tomorrow.isoformat(), "option": "regular"}
    response = client.post(reverse("elderly:book"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "国庆节" in body and "不供应午餐" in body
    assert not Meal.objects.exists()


def test_weekends_are_closed_unless_a_make_up_day(world, elders, client):
    saturday = _next(5)
    data = _identity(elders.zhang) | {"date": saturday.isoformat(), "option": "regular"}
    response = client.post(reverse("elderly:book"), data)
    assert response.status_code == 400 and "周末" in response.content.decode()
    # 调休: the Saturday is a working day this time.
    CanteenDay.objects.create(date=saturday, open=True, reason="调休上班")
    assert client.post(reverse("elderly:book"), data).status_code == 200
    assert Meal.objects.get().date == saturday


def test_a_communitys_own_day_wins_over_the_countys(world, elders, tomorrow):
    CanteenDay.objects.create(date=tomorrow, reason="元旦")
    CanteenDay.objects.create(
        community=world.community, date=tomorrow, open=True, reason="社区食堂照常"
    )
    assert canteen.closure(tomorrow, world.community.pk) is None
    other = f.CommunityFactory(name="别的社区")
    assert canteen.closure(tomorrow, other.pk) == "元旦"
    assert canteen.book(elders.zhang, tomorrow).date == tomorrow


def test_open_days_skip_closures_in_few_queries(world, django_assert_max_num_queries):
    day = _next(0)  # a Monday
    friday = day - datetime.timedelta(days=3)
    CanteenDay.objects.create(date=friday, reason="清明节")
    with django_assert_max_num_queries(1):
        days = canteen.open_days_before(day, 3)
    assert days == [
        friday - datetime.timedelta(days=1),
        friday - datetime.timedelta(days=2),
        friday - datetime.timedelta(days=3),
    ]
    # Looking back further than four weeks costs one query per four weeks.
    with django_assert_max_num_queries(3):
        assert len(canteen.open_days_before(day, 50)) == 50


def test_a_holiday_is_not_a_missed_day_for_the_welfare_check(world, elders):
    today = timezone.localdate()
    missed = welfare.working_days_before(today, 2)
    for day in welfare.working_days_before(missed[-1], 10)[:6]:
        Meal.objects.create(resident=elders.zhang, date=day, served_at=timezone.now())
    assert list(welfare.due_residents(today, world.community.pk)) == [elders.zhang]
    # The two days she "missed" were the canteen's holiday: nobody missed anything.
    for day in missed:
        CanteenDay.objects.create(date=day, reason="春节")
    assert not welfare.due_residents(today, world.community.pk).exists()
    assert welfare.raise_checks(today) == 0
    CanteenDay.objects.all().delete()
    assert welfare.raise_checks(today) == 1
    assert WelfareCheck.objects.get().resident == elders.zhang


def test_staff_keep_the_closures_in_the_admin(world, client, tomorrow):
    url = reverse("elderly_canteen_days:add")
    client.force_login(world.users["service_staff"])
    response = client.post(url, {"date": tomorrow.isoformat(), "reason": "厨房检修"})
    assert response.status_code == 302, response.content.decode()
    assert CanteenDay.objects.get().reason == "厨房检修"
    # The same day twice (for every community): refused with a reason, nothing lost.
    response = client.post(url, {"date": tomorrow.isoformat(), "reason": "again"})
    assert response.status_code == 200
    assert "已有" in response.content.decode()
    assert CanteenDay.objects.count() == 1
    assert client.get(reverse("elderly_canteen_days:index")).status_code == 200


@pytest.mark.parametrize("role", ["grid_worker", "resident_rep", "resident"])
def test_other_roles_cannot_keep_closures(world, client, role):
    client.force_login(world.users[role])
    response = client.get(reverse("elderly_canteen_days:add"))
    assert response.status_code in (302, 403)


# --- booking signed in ----------------------------------------------------------------------


@pytest.fixture
def family(world, elders):
    """An account linked to 张桂兰 (herself) and, as 代理人, to 李福."""
    user = f.UserFactory(username="family", is_staff=False)
    ResidentLink.objects.create(
        user=user, resident=elders.zhang, kind="self", state=ResidentLink.State.CONFIRMED
    )
    ResidentLink.objects.create(
        user=user, resident=elders.li, kind="proxy", state=ResidentLink.State.CONFIRMED
    )
    # A link still waiting for the grid worker gives nothing.
    ResidentLink.objects.create(user=user, resident=elders.other, state=ResidentLink.State.PENDING)
    return user


def test_signed_in_books_without_typing(world, elders, client, family, tomorrow):
    client.force_login(family)
    page = client.get(reverse("elderly:book")).content.decode()
    assert "张桂兰" in page and "李福" in page and "赵大爷" not in page
    assert 'name="phone_last4"' not in page and "data-signed-in" in page
    response = client.post(
        reverse("elderly:book"),
        {"person": elders.li.pk, "date": tomorrow.isoformat(), "option": "soft"},
    )
    assert response.status_code == 200, response.content.decode()
    meal = Meal.objects.get()
    assert (meal.resident, meal.option, meal.booked_by) == (elders.li, "soft", family)
    # Cancelling is the same choice.
    response = client.post(
        reverse("elderly:cancel"), {"person": elders.li.pk, "date": tomorrow.isoformat()}
    )
    assert response.status_code == 200
    meal.refresh_from_db()
    assert meal.status == Meal.Status.CANCELLED


def test_signed_in_cannot_book_for_someone_not_linked(world, elders, client, family, tomorrow):
    client.force_login(family)
    response = client.post(
        reverse("elderly:book"), {"person": elders.other.pk, "date": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    assert not Meal.objects.exists()


def test_signed_in_may_still_book_for_someone_else(world, elders, client, family, tomorrow):
    client.force_login(family)
    url = reverse("elderly:book") + "?other=1"
    assert 'name="phone_last4"' in client.get(url).content.decode()
    data = _identity(elders.other, room=elders.other.household.room) | {
        "date": tomorrow.isoformat(),
        "option": "regular",
    }
    response = client.post(url, data)
    assert response.status_code == 200, response.content.decode()
    assert Meal.objects.get().resident == elders.other


def test_anonymous_and_unlinked_accounts_identify_by_address(world, elders, client):
    page = client.get(reverse("elderly:book")).content.decode()
    assert 'name="phone_last4"' in page and "data-sign-in" in page
    client.force_login(f.UserFactory(username="nolink", is_staff=False))
    page = client.get(reverse("elderly:book")).content.decode()
    assert 'name="phone_last4"' in page and "data-signed-in" not in page


def test_signed_in_activity_sign_up(world, elders, client, family):
    from plugins.elderly.models import Activity, SignUp

    activity = Activity.objects.create(
        community=world.community,
        title="书法",
        kind=Activity.Kind.CALLIGRAPHY,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        ends_at=timezone.now() + datetime.timedelta(days=2, hours=1),
        capacity=5,
        published=True,
    )
    client.force_login(family)
    response = client.post(
        reverse("elderly:activities"), {"person": elders.zhang.pk, "activity": activity.pk}
    )
    assert response.status_code == 200, response.content.decode()
    assert SignUp.objects.get().resident == elders.zhang


def test_next_open_day_helper_is_a_weekday():
    assert next_open_day().weekday() < 5
