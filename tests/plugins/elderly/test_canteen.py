"""The canteen's rules, through the functions the views call and through the views."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from anju.community import SpecialGroup, Visit
from plugins.elderly import activities, canteen, welfare
from plugins.elderly.models import (
    Activity,
    Dish,
    EligibilityGrant,
    Meal,
    Menu,
    Option,
    SignUp,
    WelfareCheck,
)
from tests import factories as f

from .conftest import years_ago

pytestmark = pytest.mark.django_db


def _identity(resident, room="301"):
    return {
        "name": resident.name,
        "building": resident.household.building_id,
        "room": room,
        "phone_last4": resident.phone[-4:],
    }


# --- eligibility -------------------------------------------------------------------------


def test_eligibility_from_birth_date_and_grants(world, elders):
    eligible = set(canteen.eligible_residents().values_list("name", flat=True))
    assert {"张桂兰", "李福", "赵大爷"} <= eligible
    assert "王年轻" not in eligible
    EligibilityGrant.objects.create(resident=elders.young, reason="残疾，行动不便")
    assert canteen.is_eligible(elders.young)
    assert "王年轻" in set(canteen.eligible_residents().values_list("name", flat=True))


def test_seventieth_birthday_today_is_eligible(world):
    today = timezone.localdate()
    born = canteen.age_cutoff(today)
    resident = f.ResidentFactory(household=world.household1, name="寿星", birth_date=born)
    assert canteen.is_eligible(resident)
    resident.birth_date = born + datetime.timedelta(days=1)
    assert not canteen.is_eligible(resident)


def test_grant_needs_a_reason_in_the_admin(world, elders, client):
    client.force_login(world.users["committee"])
    url = reverse("elderly_grants:add")
    response = client.post(
        url, {"resident": elders.young.pk, "reason": " ", "granted_on": "2026-01-05"}
    )
    assert response.status_code == 200 and not EligibilityGrant.objects.exists()
    response = client.post(
        url, {"resident": elders.young.pk, "reason": "残疾", "granted_on": "2026-01-05"}
    )
    assert response.status_code == 302
    assert EligibilityGrant.objects.get().resident == elders.young


def test_grid_worker_cannot_grant_for_another_grid(world, elders, client):
    client.force_login(world.users["grid_worker"])
    response = client.post(
        reverse("elderly_grants:add"),
        {"resident": elders.other.pk, "reason": "x", "granted_on": "2026-01-05"},
    )
    # Wagtail refuses a missing permission by sending the user to the admin home.
    assert response.status_code in (302, 403) and response.get("Location", "/admin/") == "/admin/"
    assert not EligibilityGrant.objects.exists()


# --- booking -----------------------------------------------------------------------------


def test_portal_booking_without_an_account(world, elders, client, tomorrow):
    data = _identity(elders.zhang) | {
        "date": tomorrow.isoformat(),
        "option": "soft",
        "note": "不吃辣",
    }
    response = client.post(reverse("elderly:book"), data)
    assert response.status_code == 200, response.content.decode()
    meal = Meal.objects.get()
    assert (meal.resident, meal.date, meal.option, meal.note) == (
        elders.zhang,
        tomorrow,
        "soft",
        "不吃辣",
    )
    assert meal.price == Decimal("12.00") and meal.subsidy == Decimal("6.00")
    # The same again: refused, still one meal.
    response = client.post(reverse("elderly:book"), data)
    assert response.status_code == 400
    assert "已" in response.content.decode() and Meal.objects.count() == 1


def test_wrong_phone_digits_are_refused(world, elders, client, tomorrow):
    data = _identity(elders.zhang) | {
        "phone_last4": "0000",
        "date": tomorrow.isoformat(),
        "option": "regular",
    }
    response = client.post(reverse("elderly:book"), data)
    assert response.status_code == 400
    assert "没有找到" in response.content.decode()
    assert not Meal.objects.exists()


def test_room_with_unit_is_accepted(world, elders, client, tomorrow):
    data = _identity(elders.zhang, room="2单元301") | {
        "date": tomorrow.isoformat(),
        "option": "regular",
    }
    assert client.post(reverse("elderly:book"), data).status_code == 200
    assert Meal.objects.filter(resident=elders.zhang).exists()


def test_ineligible_person_refused_with_a_reason(world, elders, client, tomorrow):
    data = {
        "name": "王年轻",
        "building": world.building1.pk,
        "room": "101",
        "phone_last4": "3333",
        "date": tomorrow.isoformat(),
        "option": "regular",
    }
    response = client.post(reverse("elderly:book"), data)
    assert response.status_code == 400
    assert "70" in response.content.decode()
    assert not Meal.objects.exists()


def test_cut_off(world, elders, client, settings):
    today = timezone.localdate()
    settings.PLUGINS_CONFIG = {"elderly": {"CUTOFF": "00:00"}}
    data = _identity(elders.zhang) | {"date": today.isoformat(), "option": "regular"}
    response = client.post(reverse("elderly:book"), data)
    assert response.status_code == 400
    assert "00:00" in response.content.decode()
    assert not Meal.objects.exists()
    # A booking made earlier cannot be cancelled after the cut-off either.
    meal = Meal.objects.create(resident=elders.zhang, date=today)
    response = client.post(
        reverse("elderly:cancel"), _identity(elders.zhang) | {"date": today.isoformat()}
    )
    assert response.status_code == 400
    meal.refresh_from_db()
    assert meal.status == Meal.Status.BOOKED


def test_cut_off_boundary():
    day = datetime.date(2026, 3, 2)
    cutoff = canteen.cutoff_of(day)
    canteen.check_open(day, cutoff - datetime.timedelta(seconds=1))
    with pytest.raises(canteen.BookingError):
        canteen.check_open(day, cutoff)


def test_cancel_then_book_again(world, elders, client, tomorrow):
    data = _identity(elders.zhang) | {"date": tomorrow.isoformat(), "option": "regular"}
    client.post(reverse("elderly:book"), data)
    response = client.post(
        reverse("elderly:cancel"), _identity(elders.zhang) | {"date": tomorrow.isoformat()}
    )
    assert response.status_code == 200
    assert Meal.objects.get().status == Meal.Status.CANCELLED
    assert canteen.headcount(tomorrow).total == 0
    assert client.post(reverse("elderly:book"), data).status_code == 200
    assert Meal.objects.get().status == Meal.Status.BOOKED


def test_delivery_only_for_the_homebound(world, elders, tomorrow):
    with pytest.raises(canteen.BookingError):
        canteen.book(elders.li, tomorrow, delivery=True)
    meal = canteen.book(elders.zhang, tomorrow, delivery=True)
    assert meal.delivery


def test_staff_book_on_behalf_in_the_admin(world, elders, client, tomorrow):
    client.force_login(world.users["grid_worker"])
    url = reverse("elderly_admin:book")
    response = client.post(
        url, {"resident": elders.li.pk, "date": tomorrow.isoformat(), "option": "low_salt"}
    )
    assert response.status_code == 302
    meal = Meal.objects.get()
    assert (meal.channel, meal.booked_by, meal.option) == (
        "staff",
        world.users["grid_worker"],
        "low_salt",
    )
    # Another grid's elder is not a choice for this grid worker.
    response = client.post(url, {"resident": elders.other.pk, "date": tomorrow.isoformat()})
    assert response.status_code == 400 and Meal.objects.count() == 1


def test_price_tier_by_age(world, elders, tomorrow):
    assert canteen.book(elders.li, tomorrow).subsidy == Decimal("9.00")  # 85
    assert canteen.book(elders.zhang, tomorrow).subsidy == Decimal("6.00")  # 78


# --- kitchen, counter, delivery ------------------------------------------------------------


def test_headcount_per_option(world, elders, tomorrow):
    canteen.book(elders.zhang, tomorrow, option=Option.SOFT, delivery=True)
    canteen.book(elders.li, tomorrow, option=Option.SOFT)
    canteen.book(elders.other, tomorrow, option=Option.DIABETIC)
    with CaptureQueriesContext(connection) as queries:
        count = canteen.headcount(tomorrow)
    assert len(queries) == 1
    rows = {row[0]: row[2:] for row in count.by_option}
    assert rows["soft"] == (1, 1, 2) and rows["diabetic"] == (1, 0, 1)
    assert (count.counter, count.delivery, count.total) == (2, 1, 3)


def test_kitchen_page_and_print(world, elders, client, tomorrow):
    canteen.book(elders.li, tomorrow, option=Option.SOFT, note="牙口不好")
    client.force_login(world.users["service_staff"])
    response = client.get(reverse("elderly_admin:kitchen_print") + f"?date={tomorrow.isoformat()}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-headcount" in html and "牙口不好" in html and "wagtail" not in html.lower()


def _served_today(client, resident, query=""):
    return client.post(reverse("elderly_admin:check_in", args=[resident.pk]), {"q": query})


def test_counter_check_in_and_double_tap(world, elders, client):
    today = timezone.localdate()
    Meal.objects.create(resident=elders.li, date=today, option=Option.SOFT)
    client.force_login(world.users["service_staff"])
    response = client.get(reverse("elderly_admin:counter") + "?q=李")
    assert "李福" in response.content.decode()
    assert _served_today(client, elders.li, "李").status_code == 302
    first = Meal.objects.get(resident=elders.li).served_at
    assert first is not None
    _served_today(client, elders.li)  # the double tap
    meal = Meal.objects.get(resident=elders.li)
    assert meal.served_at == first and Meal.objects.count() == 1


def test_walk_in(world, elders, client):
    client.force_login(world.users["service_staff"])
    _served_today(client, elders.other)
    _served_today(client, elders.other)
    meal = Meal.objects.get()
    assert meal.channel == Meal.Channel.WALK_IN and meal.served_at is not None
    assert meal.subsidy == Decimal("6.00")


def test_counter_refuses_ineligible_and_other_grid(world, elders, client):
    client.force_login(world.users["grid_worker"])
    assert _served_today(client, elders.young).status_code == 404
    assert _served_today(client, elders.other).status_code == 404
    assert not Meal.objects.exists()


def test_counter_search_by_room(world, elders):
    found = canteen.counter_search("301", timezone.localdate(), world.users["service_staff"])
    assert [r.name for r in found] == ["张桂兰"]


def test_counter_queries_constant(world, elders):
    today = timezone.localdate()
    user = world.users["superuser"]

    def measure():
        with CaptureQueriesContext(connection) as queries:
            canteen.counter_search("居民", today, user)
        return len(queries)

    for _ in range(3):
        f.ResidentFactory(household=world.household1, birth_date=years_ago(75), relation="other")
    few = measure()
    for _ in range(12):
        r = f.ResidentFactory(
            household=world.household2, birth_date=years_ago(80), relation="other"
        )
        Meal.objects.create(resident=r, date=today)
    assert measure() == few == 2
    with CaptureQueriesContext(connection) as queries:
        canteen.check_in(elders.li, today)
    walk_in = len(queries)
    with CaptureQueriesContext(connection) as queries:
        canteen.check_in(elders.li, today)
    # Constant: an update, and for a walk-in or a double tap an insert in a savepoint.
    assert walk_in <= 6 and len(queries) <= 6


def test_counter_page_queries_constant(world, elders, client, django_assert_max_num_queries):
    client.force_login(world.users["service_staff"])
    url = reverse("elderly_admin:counter") + "?q=居民"
    for _ in range(2):
        f.ResidentFactory(household=world.household1, birth_date=years_ago(75), relation="other")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        f.ResidentFactory(household=world.household2, birth_date=years_ago(75), relation="other")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("data-check-in") == 12
    assert len(many) == len(few)


def test_delivery_list_in_building_order(world, elders, client, tomorrow):
    alone = SpecialGroup.objects.get(code=SpecialGroup.LIVING_ALONE)
    elders.other.groups.add(alone)
    world.building2.sort_order = 0
    world.building2.save()
    world.building1.sort_order = 5
    world.building1.save()
    canteen.book(elders.zhang, tomorrow, delivery=True)
    canteen.book(elders.other, tomorrow, delivery=True)
    canteen.book(elders.li, tomorrow)
    user = world.users["service_staff"]
    assert [m.resident.name for m in canteen.delivery_list(tomorrow, user)] == ["赵大爷", "张桂兰"]
    client.force_login(user)
    meal = Meal.objects.get(resident=elders.zhang)
    response = client.post(
        reverse("elderly_admin:delivered", args=[meal.pk]), {"date": tomorrow.isoformat()}
    )
    assert response.status_code == 302
    meal.refresh_from_db()
    assert meal.delivered_at is not None
    # The grid worker of grid 1 sees only grid 1's delivery.
    names = [m.resident.name for m in canteen.delivery_list(tomorrow, world.users["grid_worker"])]
    assert names == ["张桂兰"]


# --- money ---------------------------------------------------------------------------------


def _taken(resident, day, subsidy="6.00", served=True):
    return Meal.objects.create(
        resident=resident,
        date=day,
        price=Decimal("12.00"),
        subsidy=Decimal(subsidy),
        served_at=timezone.now() if served else None,
    )


def test_statement_and_bureau_report(world, elders, client):
    month = datetime.date(2026, 11, 1)
    for day in (2, 3, 4):
        _taken(elders.zhang, month.replace(day=day))
    _taken(elders.li, month.replace(day=2), subsidy="9.00")
    _taken(elders.li, month.replace(day=3), served=False)  # booked, never came: not billed
    _taken(elders.li, datetime.date(2026, 10, 30), subsidy="9.00")  # another month
    statement = canteen.statement(elders.zhang, month)
    assert (statement["count"], statement["subsidy"], statement["self_pay"]) == (
        3,
        Decimal("18.00"),
        Decimal("18.00"),
    )
    client.force_login(world.users["committee"])
    response = client.get(
        reverse("elderly_admin:statement", args=[elders.zhang.pk]) + "?month=2026-11"
    )
    assert response.status_code == 200 and "18.00" in response.content.decode()
    response = client.get(reverse("elderly_admin:report") + "?month=2026-11&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    by_name = {row[2]: row for row in rows[2:-1]}
    assert by_name["张桂兰"][4:7] == (3, 36.0, 18.0)
    assert by_name["李福"][4:7] == (1, 12.0, 9.0)
    assert rows[-1][4:7] == (4, 48.0, 27.0)


def test_bureau_report_refused_to_grid_workers(world, client):
    client.force_login(world.users["grid_worker"])
    response = client.get(reverse("elderly_admin:report") + "?format=xlsx")
    assert response.status_code in (302, 403) and "spreadsheet" not in response["Content-Type"]


# --- welfare check -------------------------------------------------------------------------


def _working_days_back(count):
    return welfare.working_days_before(timezone.localdate(), count)


def test_welfare_check_end_to_end(world, elders, client):
    missed = _working_days_back(2)
    before = welfare.working_days_before(missed[-1], 10)
    for day in before[:6]:
        _taken(elders.zhang, day)
        _taken(elders.li, day)  # eats here too, but does not live alone
    assert list(welfare.due_residents().values_list("name", flat=True)) == ["张桂兰"]
    assert welfare.raise_checks() == 1
    assert welfare.raise_checks() == 0  # still open: not raised twice
    check = WelfareCheck.objects.get()
    assert check.last_meal == before[0]

    # The grid worker of grid 1 sees it on the list; the one of another grid does not.
    worker = world.users["grid_worker"]
    client.force_login(worker)
    response = client.get(reverse("elderly_admin:welfare"))
    assert "张桂兰" in response.content.decode()
    other = f.UserFactory(
        username="gw2", role=__import__("anju.permissions", fromlist=["GRID_WORKER"]).GRID_WORKER
    )
    f.seat(other, world.grid2)
    client.force_login(other)
    assert "张桂兰" not in client.get(reverse("elderly_admin:welfare")).content.decode()
    assert client.get(reverse("elderly_admin:welfare_check", args=[check.pk])).status_code == 404

    client.force_login(worker)
    url = reverse("elderly_admin:welfare_check", args=[check.pk])
    assert client.post(url, {"channel": "in_person", "note": ""}).status_code == 400
    response = client.post(url, {"channel": "in_person", "note": "感冒在家，已送药"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.checked_at is not None and check.checked_by == worker
    visit = Visit.objects.get(pk=check.visit_id)
    assert visit.household == elders.zhang.household and "感冒" in visit.basic_situation
    client.post(url, {"channel": "in_person", "note": "again"})  # a second submission
    assert Visit.objects.filter(household=elders.zhang.household).count() == 1


def test_a_welfare_check_is_on_the_grid_workers_due_list(world, elders, client):
    """Through the campaigns' due list (the plugin's DueItems), for the elder's grid
    worker only."""
    from anju.campaigns.duelist import due_list

    missed = _working_days_back(2)
    for day in welfare.working_days_before(missed[-1], 10)[:6]:
        _taken(elders.zhang, day)
    assert welfare.raise_checks() == 1
    check = WelfareCheck.objects.get()
    worker = world.users["grid_worker"]
    rows = due_list(worker)
    labels = [entry.label for row in rows for entry in row.entries]
    assert any("张桂兰" in str(label) for label in labels), labels
    urls = [entry.url for row in rows for entry in row.entries]
    assert reverse("elderly_admin:welfare_check", args=[check.pk]) in urls
    # Checked: no longer due.
    client.force_login(worker)
    client.post(
        reverse("elderly_admin:welfare_check", args=[check.pk]),
        {"channel": "in_person", "note": "一切安好"},
    )
    labels = [str(e.label) for row in due_list(worker) for e in row.entries]
    assert not any("张桂兰" in label for label in labels)


def test_no_welfare_check_when_booked_or_not_a_regular(world, elders):
    missed = _working_days_back(2)
    before = welfare.working_days_before(missed[-1], 10)
    for day in before[:2]:
        _taken(elders.zhang, day)
    assert not welfare.due_residents().exists()  # not a regular
    for day in before[2:6]:
        _taken(elders.zhang, day)
    Meal.objects.create(resident=elders.zhang, date=missed[0])  # booked yesterday
    assert not welfare.due_residents().exists()


def test_welfare_task(world, elders):
    from plugins.elderly.tasks import raise_welfare_checks

    assert raise_welfare_checks.apply().get() == 0


# --- activities ----------------------------------------------------------------------------


def _activity(world, capacity=1):
    starts = timezone.now() + datetime.timedelta(days=2)
    return Activity.objects.create(
        community=world.community,
        title="象棋友谊赛",
        kind=Activity.Kind.CHESS,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        capacity=capacity,
    )


def test_activity_capacity_and_waiting_list(world, elders, client):
    activity = _activity(world, capacity=1)
    data = _identity(elders.zhang) | {"activity": activity.pk}
    response = client.post(reverse("elderly:activities"), data)
    assert response.status_code == 200
    second = {
        "name": "李福",
        "building": world.building1.pk,
        "room": "101",
        "phone_last4": "1111",
        "activity": activity.pk,
    }
    response = client.post(reverse("elderly:activities"), second)
    assert "等候" in response.content.decode() or "候补" in response.content.decode()
    statuses = dict(SignUp.objects.values_list("resident__name", "status"))
    assert statuses == {"张桂兰": "confirmed", "李福": "waiting"}
    assert client.post(reverse("elderly:activities"), data).status_code == 400  # twice
    promoted = activities.cancel(SignUp.objects.get(resident=elders.zhang))
    assert promoted.resident == elders.li
    assert SignUp.objects.get(resident=elders.li).status == "confirmed"


def test_attendance(world, elders, client):
    activity = _activity(world, capacity=5)
    zhang = activities.sign_up(activity, elders.zhang)
    activities.sign_up(activity, elders.li)
    client.force_login(world.users["service_staff"])
    url = reverse("elderly_admin:activity", args=[activity.pk])
    assert client.post(url, {"present": [str(zhang.pk)]}).status_code == 302
    assert list(SignUp.objects.filter(attended=True).values_list("resident__name", flat=True)) == [
        "张桂兰"
    ]


def test_room_double_booking_refused(world):
    from django.core.exceptions import ValidationError

    from plugins.elderly.models import Room, RoomBooking

    room = Room.objects.create(community=world.community, name="活动室")
    activity = _activity(world)
    activity.room = room
    activity.save()
    booking = RoomBooking(
        room=room,
        starts_at=activity.starts_at + datetime.timedelta(minutes=30),
        ends_at=activity.ends_at + datetime.timedelta(hours=1),
        purpose="合唱排练",
        booked_by="老周",
    )
    with pytest.raises(ValidationError):
        booking.full_clean()


# --- portal and figures --------------------------------------------------------------------


def test_portal_shows_published_menu(world, client):
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    menu = Menu.objects.create(community=world.community, week_start=monday, published=True)
    Dish.objects.create(menu=menu, day=monday, name="肉末蒸蛋", option=Option.SOFT)
    draft = Menu.objects.create(
        community=world.community, week_start=monday + datetime.timedelta(weeks=1)
    )
    Dish.objects.create(menu=draft, day=monday, name="草稿菜", option=Option.SOFT)
    response = client.get(reverse("elderly:index"))
    html = response.content.decode()
    assert "肉末蒸蛋" in html and "草稿菜" not in html and "¥12.00" in html


def test_figures_coverage(world, elders, client):
    month = timezone.localdate().replace(day=1)
    _taken(elders.zhang, month)
    client.force_login(world.users["committee"])
    response = client.get(reverse("elderly_admin:figures") + f"?month={month:%Y-%m}")
    assert response.status_code == 200
    rows = {row["grid"].pk: row for row in response.context["coverage"]}
    assert rows[world.grid1.pk]["served"] == 1 and rows[world.grid1.pk]["eligible"] == 2
    assert rows[world.grid2.pk]["served"] == 0


def test_household_panel(world, elders, client):
    from plugins.elderly.panels import ElderlyHouseholdPanel

    _taken(elders.li, timezone.localdate())
    request = __import__("django.test", fromlist=["RequestFactory"]).RequestFactory().get("/")
    request.user = world.users["grid_worker"]
    panel = ElderlyHouseholdPanel()
    context = panel.get_context_data({"household": world.household1, "request": request})
    assert [(e.name, e.month_meals) for e in context["elders"]] == [("李福", 1)]


def test_due_items_source_constant_queries(world, elders):
    zhang_check = WelfareCheck.objects.create(resident=elders.zhang)
    user = world.users["grid_worker"]
    households = [world.household1, elders.zhang.household, world.household2]
    with CaptureQueriesContext(connection) as queries:
        items = welfare.due_items(households, user)
    assert len(queries) <= 2
    assert list(items) == [elders.zhang.household_id]
    label, url = items[elders.zhang.household_id][0]
    assert "张桂兰" in label and url.endswith(f"/{zhang_check.pk}/")
