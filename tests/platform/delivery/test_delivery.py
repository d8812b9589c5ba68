"""Delivery to every household (入户传达): coverage per grid, recording reaches, roles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju.notices import delivery
from anju.notices.models import Audience, NoticeDelivery, NoticeIndexPage, NoticePage
from anju.portal.site import ensure_home_page
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
API = "/api/notice-deliveries/"


def publish_notice(title="燃气安全入户告知", must_reach=True, audience=Audience.EVERYONE, **m2m):
    home = ensure_home_page()
    index = NoticeIndexPage.objects.first() or home.add_child(
        instance=NoticeIndexPage(title="通知公告", slug="notices")
    )
    notice = NoticePage(
        title=title,
        slug=f"n{NoticePage.objects.count() + 1}",
        body="<p>请注意用气安全。</p>",
        must_reach_every_household=must_reach,
        audience=audience,
    )
    for name, values in m2m.items():
        setattr(notice, name, values)
    index.add_child(instance=notice)
    notice.save_revision().publish()
    return NoticePage.objects.get(pk=notice.pk)


@pytest.fixture
def notice(world):
    HouseholdFactory(building=world.building1)  # grid 1 now has 2 households, grid 2 has 1
    return publish_notice()


def _coverage(notice, user):
    return {row.grid.pk: (row.reached, row.targeted) for row in delivery.coverage(notice, user)}


def test_coverage_per_grid_counts_reached_over_targeted(world, notice):
    committee = world.users["committee"]
    assert _coverage(notice, committee) == {world.grid1.pk: (0, 2), world.grid2.pk: (0, 1)}
    delivery.record(notice, world.household1.pk, "in_person", world.users["grid_worker"])
    assert _coverage(notice, committee) == {world.grid1.pk: (1, 2), world.grid2.pk: (0, 1)}


def test_grid_worker_sees_and_records_only_their_grid(world, notice):
    worker = world.users["grid_worker"]
    assert _coverage(notice, worker) == {world.grid1.pk: (0, 2)}
    assert world.household2 not in delivery.households(notice, worker)
    with pytest.raises(delivery.DeliveryError):
        delivery.record(notice, world.household2.pk, "phone", worker)
    assert not NoticeDelivery.objects.exists()


def test_recording_twice_keeps_the_first(world, notice):
    worker = world.users["grid_worker"]
    first, created = delivery.record(notice, world.household1.pk, "wechat_group", worker)
    again, created_again = delivery.record(notice, world.household1.pk, "phone", worker)
    assert created and not created_again and again == first
    assert NoticeDelivery.objects.get().channel == "wechat_group"


def test_audience_decides_who_is_targeted(world):
    notice = publish_notice(audience=Audience.BUILDINGS, audience_buildings=[world.building2])
    committee = world.users["committee"]
    assert _coverage(notice, committee) == {world.grid2.pk: (0, 1)}
    with pytest.raises(delivery.DeliveryError):
        delivery.record(notice, world.household1.pk, "phone", committee)  # not targeted


def test_group_audience_targets_households_of_group_members(world):
    from anju.community.models import SpecialGroup

    group = SpecialGroup.objects.create(code="low_income", name="低保")
    world.resident2.groups.add(group)
    notice = publish_notice(audience=Audience.GROUPS, audience_groups=[group])
    assert list(notice.targeted_households()) == [world.household2]


def test_a_notice_without_the_flag_needs_no_delivery(world):
    notice = publish_notice(must_reach=False)
    with pytest.raises(delivery.DeliveryError):
        delivery.record(notice, world.household1.pk, "phone", world.users["committee"])


@pytest.mark.parametrize("channel", ["", "carrier pigeon"])
def test_an_unknown_channel_is_refused(world, notice, channel):
    with pytest.raises(delivery.DeliveryError):
        delivery.record(notice, world.household1.pk, channel, world.users["committee"])


# --- admin ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("superuser", 200),
        ("committee", 200),
        ("grid_worker", 200),
        ("resident_rep", 200),
        ("service_staff", 302),  # Wagtail turns "no permission" into a redirect home
        ("resident", 302),
        (None, 302),
    ],
)
def test_admin_pages_per_role(world, notice, client, role, status):
    if role:
        client.force_login(world.users[role])
    assert client.get("/admin/notice-delivery/").status_code == status
    response = client.get(f"/admin/notice-delivery/{notice.pk}/?show=all")
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert f'data-household="{world.household1.pk}"' in html
        sees_grid2 = role in {"superuser", "committee"}
        assert (f'data-household="{world.household2.pk}"' in html) is sees_grid2


def test_one_tap_record_in_the_admin(world, notice, client):
    client.force_login(world.users["grid_worker"])
    url = f"/admin/notice-delivery/{notice.pk}/record/"
    response = client.post(url, {"household": world.household1.pk, "channel": "in_person"})
    assert response.status_code == 302
    assert NoticeDelivery.objects.filter(household=world.household1).exists()
    page = client.get(f"/admin/notice-delivery/{notice.pk}/?show=unreached").content.decode()
    assert f'data-household="{world.household1.pk}"' not in page


@pytest.mark.parametrize(
    "data",
    [
        {"household": "abc", "channel": "in_person"},
        {"household": "", "channel": "in_person"},
        {"channel": "in_person"},
        {"household": "1", "channel": "fax"},
    ],
)
def test_bad_admin_posts_are_refused_without_saving(world, notice, client, data):
    client.force_login(world.users["grid_worker"])
    response = client.post(f"/admin/notice-delivery/{notice.pk}/record/", data, follow=True)
    assert response.status_code == 200
    assert not NoticeDelivery.objects.exists()


def test_resident_rep_may_look_but_not_record(world, notice, client):
    client.force_login(world.users["resident_rep"])
    client.post(
        f"/admin/notice-delivery/{notice.pk}/record/",
        {"household": world.household1.pk, "channel": "phone"},
    )
    assert not NoticeDelivery.objects.exists()


def test_unknown_notice_is_404(world, client):
    client.force_login(world.users["committee"])
    assert client.get("/admin/notice-delivery/999999/").status_code == 404


def test_detail_queries_do_not_grow_with_households(world, notice, client):
    client.force_login(world.users["committee"])
    url = f"/admin/notice-delivery/{notice.pk}/?show=all"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(20):
        household = HouseholdFactory(building=world.building1)
        delivery.record(notice, household.pk, "phone", world.users["committee"])
    client.get(API)  # the writes above may have moved the publish generation
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# --- API --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("superuser", 200),
        ("committee", 200),
        ("grid_worker", 200),
        ("resident_rep", 200),
        ("service_staff", 403),
        ("resident", 403),
        (None, 401),
    ],
)
def test_api_list_and_coverage_per_role(world, notice, client, role, status):
    delivery.record(notice, world.household1.pk, "phone", world.users["committee"])
    delivery.record(notice, world.household2.pk, "phone", world.users["committee"])
    if role:
        client.force_login(world.users[role])
    response = client.get(API)
    assert response.status_code == status
    if status == 200:
        households = {row["household"] for row in response.json()["results"]}
        expected = {world.household1.pk}
        if role in {"superuser", "committee"}:
            expected.add(world.household2.pk)
        assert households == expected
        coverage = client.get(f"{API}coverage/", {"notice": notice.pk}).json()
        assert {row["grid"] for row in coverage} == (
            {world.grid1.pk, world.grid2.pk}
            if role in {"superuser", "committee"}
            else {world.grid1.pk}
        )


def test_api_records_idempotently(world, notice, client):
    client.force_login(world.users["grid_worker"])
    body = {"notice": notice.pk, "household": world.household1.pk, "channel": "posted"}
    assert client.post(API, body).status_code == 201
    assert client.post(API, body).status_code == 200
    assert NoticeDelivery.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("household", {"household": "grid2"}),  # another grid's household
        ("household", {"household": 999999}),
        ("channel", {"channel": "fax"}),
        ("notice", {"notice": 999999}),
    ],
)
def test_api_bad_input_is_400_and_saves_nothing(world, notice, client, field, overrides):
    client.force_login(world.users["grid_worker"])
    body = {"notice": notice.pk, "household": world.household1.pk, "channel": "posted"}
    body.update(overrides)
    if body["household"] == "grid2":
        body["household"] = world.household2.pk
    response = client.post(API, body)
    assert response.status_code == 400
    assert field in response.json()
    assert not NoticeDelivery.objects.exists()


def test_resident_rep_cannot_record_over_the_api(world, notice, client):
    client.force_login(world.users["resident_rep"])
    body = {"notice": notice.pk, "household": world.household1.pk, "channel": "posted"}
    assert client.post(API, body).status_code == 403


def test_api_coverage_needs_a_notice(world, client):
    client.force_login(world.users["committee"])
    assert client.get(f"{API}coverage/").status_code == 400
    assert client.get(f"{API}coverage/", {"notice": 999999}).status_code == 404


def test_api_list_queries_are_constant(world, notice, client):
    client.force_login(world.users["committee"])
    delivery.record(notice, world.household1.pk, "phone", world.users["committee"])
    client.get(API)  # warm: the process's site and plugin memory
    with CaptureQueriesContext(connection) as few:
        client.get(API)
    for _ in range(15):
        household = HouseholdFactory(building=world.building2)
        delivery.record(notice, household.pk, "phone", world.users["committee"])
    client.get(API)  # the writes above may have moved the publish generation
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(API).json()["results"]) == 16
    assert len(many) == len(few)
