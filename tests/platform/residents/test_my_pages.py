"""My household, my messages and my requests (with the resident's 回访), through the
portal as a signed-in resident."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju import notify
from anju.community.models import GridTeamMember, ResidentLink, TeamRole
from anju.notify.models import Message
from anju.residents.household import (
    HouseholdItem,
    register_household_item_source,
    unregister_household_item_source,
)
from anju.services import workflow
from anju.services.models import CaseEvent, Status
from tests.factories import ResidentFactory

from .conftest import file_case, sign_in

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def resident1(client, world):
    """world.resident1, signed in on the portal (linked to household1)."""
    GridTeamMember.objects.filter(grid=world.grid1, role=TeamRole.GRID_WORKER).update(
        phone="13911112222"
    )
    sign_in(client, world.resident1.phone)
    return ResidentLink.objects.get(resident=world.resident1).user


# --- my household ------------------------------------------------------------------------


def test_my_household_shows_members_masked_the_team_and_how_to_reach_them(client, world, resident1):
    ResidentFactory(household=world.household1, name="王大爷", relation="parent")
    body = text(client.get("/me/household/"))
    assert "王小明" in body and "王大爷" in body
    whole = world.resident1.id_number
    assert whole not in body and world.resident1.masked_id_number in body
    assert "第一网格" in body and "网格员" in body
    assert 'href="tel:13911112222"' in body
    # Another household's people are not there.
    assert "李大红" not in body


def test_my_household_costs_the_same_queries_however_many_members(client, world, resident1):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/me/household/").status_code == 200
        return len(ctx)

    before = count()
    for n in range(5):
        ResidentFactory(household=world.household1, name=f"成员{n}", relation="child")
    assert count() == before


def test_my_household_shows_what_sources_say_is_due(client, world, resident1):
    def source(household, request):
        return [HouseholdItem("高龄津贴认证", "请带身份证到社区", due=None)]

    register_household_item_source(source)
    try:
        body = text(client.get("/me/household/"))
    finally:
        unregister_household_item_source(source)
    assert "高龄津贴认证" in body and "请带身份证到社区" in body


def test_my_household_shows_the_campaign_visits_it_is_due_for(client, world, resident1):
    """Campaigns' "due now": an open round that still owes the household a visit shows,
    with its due date; once the grid worker has recorded it done, it goes."""
    from anju.campaigns import rounds
    from anju.campaigns.models import Campaign, Outcome, Target

    campaign = Campaign.objects.create(
        community=world.community, title="燃气安全入户检查", kind="safety"
    )
    from anju.plugins.activation import disable

    disable(world.community, "dummy_plugin")  # its own items would fill the list
    round_ = rounds.start_round(campaign)
    target = Target.objects.get(round=round_, household=world.household1)
    body = text(client.get("/me/household/"))
    assert "燃气安全入户检查" in body and f"{round_.due_on:%Y-%m-%d}" in body
    assert "安全检查" in body  # the campaign's kind
    Target.objects.filter(pk=target.pk).update(outcome=Outcome.DONE)
    body = text(client.get("/me/household/"))
    assert "燃气安全入户检查" not in body and "目前没有待办事项" in body


def test_a_broken_source_does_not_break_the_page(client, world, resident1):
    def broken(household, request):
        raise RuntimeError("boom")

    from anju.plugins.activation import disable

    disable(world.community, "dummy_plugin")  # its own items would fill the list
    register_household_item_source(broken)
    try:
        response = client.get("/me/household/")
    finally:
        unregister_household_item_source(broken)
    assert response.status_code == 200 and "目前没有待办事项" in text(response)


def test_a_pending_account_sees_no_household(client, world):
    sign_in(client, "13700000000")
    body = text(client.get("/me/household/"))
    assert "还没有关联到住户" in body and "王小明" not in body


def test_a_proxy_sees_the_relatives_household(client, world):
    """A family member linked as 代理人 to world.resident2 (another household)."""
    from anju.residents import linking

    linking.add_proxy(world.users["superuser"], world.resident2, "13755556666")
    sign_in(client, "13755556666")
    body = text(client.get("/me/household/"))
    assert "李大红" in body and "王小明" not in body
    assert "您代理 李大红" in text(client.get("/me/"))


# --- my messages ---------------------------------------------------------------------------


def _in_app(user, n, template="notify.plain"):
    message, _created = notify.enqueue(
        channel="in_app",
        user=user,
        template=template,
        payload={"subject": f"停水通知{n}", "body": f"第{n}条"},
        dedup_key=f"test:{user.pk}:{n}",
    )
    notify.deliver(message.pk)
    return Message.objects.get(pk=message.pk)


def test_my_messages_read_and_unread(client, world, resident1):
    first = _in_app(resident1, 1)
    _in_app(resident1, 2)
    other = _in_app(world.users["resident"], 3)
    body = text(client.get("/me/messages/"))
    assert "停水通知1" in body and "停水通知2" in body and "停水通知3" not in body
    assert body.count("● 未读") == 2
    detail = client.get(f"/me/messages/{first.pk}/")
    assert detail.status_code == 200 and "第1条" in text(detail)
    first.refresh_from_db()
    assert first.read_at is not None
    assert text(client.get("/me/messages/")).count("● 未读") == 1
    # Someone else's message: 404, as if it did not exist.
    assert client.get(f"/me/messages/{other.pk}/").status_code == 404
    assert client.get("/me/messages/999999/").status_code == 404
    client.post("/me/messages/", {"action": "read_all"})
    assert not Message.objects.filter(user=resident1).unread().exists()


def test_my_messages_cost_the_same_queries_however_many(client, world, resident1):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/me/messages/").status_code == 200
        return len(ctx)

    _in_app(resident1, 1)
    before = count()
    for n in range(2, 8):
        _in_app(resident1, n)
    assert count() == before


# --- my requests and the resident's 回访 ----------------------------------------------------


@pytest.fixture
def resolved(world, built_service, resident1):
    worker = world.users["grid_worker"]
    case = file_case(built_service, user=resident1, household=world.household1)
    workflow.transition(case, Status.ACCEPTED, worker)
    workflow.transition(case, Status.RESOLVED, worker)
    case.refresh_from_db()
    return case


def test_resident_confirms_a_resolved_case_as_settled(client, world, resolved):
    url = f"/cases/mine/{resolved.reference}/"
    page = text(client.get(url))
    assert "您的诉求办好了吗" in page
    response = client.post(url, {"settled": "yes", "satisfaction": "5", "note": "很满意"})
    assert response.status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED and resolved.settled is True
    assert resolved.satisfaction == 5
    event = resolved.events.get(kind=CaseEvent.Kind.FOLLOW_UP)
    assert event.text == "很满意" and event.public
    assert "您的诉求办好了吗" not in text(client.get(url))


def test_resident_says_not_settled_and_the_handler_is_told(client, world, resolved):
    url = f"/cases/mine/{resolved.reference}/"
    response = client.post(url, {"settled": "no", "note": "还是漏水"})
    assert response.status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == Status.IN_PROGRESS and resolved.settled is False
    told = Message.objects.get(template="services.reopened")
    assert told.user == world.users["grid_worker"] and told.channel == "in_app"


def test_follow_up_form_errors_are_clear(client, world, resolved):
    url = f"/cases/mine/{resolved.reference}/"
    response = client.post(url, {"settled": "yes"})
    assert response.status_code == 400 and "请选择1到5分" in text(response)
    response = client.post(url, {"settled": "no", "note": ""})
    assert response.status_code == 400 and "还有什么问题" in text(response)
    response = client.post(url, {})
    assert response.status_code == 400 and "请说明问题是否解决了" in text(response)
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED


def test_another_households_case_is_404(client, world, built_service, resident1):
    theirs = file_case(built_service, household=world.household2, name="李大红")
    workflow.transition(theirs, Status.ACCEPTED, world.users["committee"])
    workflow.transition(theirs, Status.RESOLVED, world.users["committee"])
    url = f"/cases/mine/{theirs.reference}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"settled": "yes", "satisfaction": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.RESOLVED


def test_an_account_not_yet_linked_sees_no_household_case(client, world, built_service):
    """A phone shared by two residents waits for the grid worker: until then the
    household's cases are not the account's (404), only what it filed itself."""
    ResidentFactory(household=world.household1, phone=world.resident1.phone, name="王小红")
    case = file_case(built_service, household=world.household1)
    sign_in(client, world.resident1.phone)
    assert ResidentLink.objects.get().state == ResidentLink.State.PENDING
    assert case.reference not in text(client.get("/cases/mine/"))
    assert client.get(f"/cases/mine/{case.reference}/").status_code == 404
    assert client.get(f"/api/services/my-cases/{case.reference}/").status_code == 404


def test_household_cases_filed_by_staff_show_in_my_requests(
    client, world, built_service, resident1
):
    """Filed for household1 by the grid worker (代办): the linked resident follows it."""
    case = file_case(built_service, household=world.household1, filed_by=world.users["grid_worker"])
    assert case.reference in text(client.get("/cases/mine/"))


def test_case_news_reach_a_resident_with_an_account_in_the_inbox(world, built_service, resident1):
    case = file_case(built_service, user=resident1, household=world.household1)
    filed = Message.objects.get(template="services.filed")
    assert filed.channel == "in_app" and filed.user == resident1
    workflow.transition(case, Status.ACCEPTED, world.users["grid_worker"])
    assert Message.objects.filter(template="services.status_changed", channel="in_app").exists()
    assert not Message.objects.filter(channel="sms", template__startswith="services.").exists()


def test_active_plugins_say_what_the_household_is_entitled_to(client, world, resident1):
    """A plugin's ResidentItems (here the dummy plugin's) show on "my household"; a
    broken one is skipped; a plugin turned off for the community says nothing."""
    from anju.plugins.activation import disable

    body = text(client.get("/me/household/"))
    assert "Things to collect" in body and f"for household {world.household1.pk}" in body
    disable(world.community, "dummy_plugin")
    body = text(client.get("/me/household/"))
    assert "Things to collect" not in body


def test_the_canteen_tells_an_elders_household_how_to_book(client, world, resident1):
    import datetime

    from django.utils import timezone

    from plugins.elderly.models import Meal

    today = timezone.localdate()
    elder = ResidentFactory(
        household=world.household1,
        name="王奶奶",
        relation="parent",
        birth_date=today.replace(year=today.year - 82, day=1),
    )
    body = text(client.get("/me/household/"))
    assert "老年餐厅" in body and "王奶奶" in body and "/services/elderly/book/" in body
    day = today + datetime.timedelta(days=3)
    Meal.objects.create(resident=elder, date=day)
    body = text(client.get("/me/household/"))
    assert f"{day:%Y-%m-%d}" in body
