"""Records of a whole community (canteen days, menus, rooms...) in a county of several
communities: a committee member lists, opens and writes only their own community's;
a choice of another community, or of none (county-wide), is refused, never saved."""

import datetime

import pytest
from django.urls import reverse

from anju.community.models import TeamRole
from anju.permissions import roles
from plugins.elderly.models import CanteenDay, Room
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.date(2027, 1, 1)


@pytest.fixture
def county(world):
    other = f.CommunityFactory(code="heping", name="和平社区")
    grid = f.GridFactory(community=other, number=1, name="和平一网格")
    neighbour = f.UserFactory(username="heping-committee", role=roles.COMMITTEE)
    f.seat(neighbour, grid, TeamRole.COMMITTEE)
    days = {
        "ours": CanteenDay.objects.create(
            community=world.community, date=DAY, reason="我们的检查日"
        ),
        "theirs": CanteenDay.objects.create(community=other, date=DAY, reason="和平的检查日"),
        "county": CanteenDay.objects.create(community=None, date=DAY, reason="元旦全县休息"),
    }
    return other, neighbour, days


def _listing(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("elderly_canteen_days:index"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "who, sees",
    [
        ("committee", {"我们的检查日"}),
        ("neighbour", {"和平的检查日"}),
        ("superuser", {"我们的检查日", "和平的检查日", "元旦全县休息"}),
        # The station's staff hold no grid and serve every community.
        ("service_staff", {"我们的检查日", "和平的检查日", "元旦全县休息"}),
    ],
)
def test_each_sees_the_days_of_their_communities(world, county, client, who, sees):
    user = county[1] if who == "neighbour" else world.users[who]
    page = _listing(client, user)
    for reason in ("我们的检查日", "和平的检查日", "元旦全县休息"):
        assert (reason in page) == (reason in sees), (who, reason)


def test_another_communitys_day_is_a_404_to_open_edit_or_delete(world, county, client):
    theirs = county[2]["theirs"]
    client.force_login(world.users["committee"])
    for view in ("edit", "delete"):
        assert (
            client.get(reverse(f"elderly_canteen_days:{view}", args=[theirs.pk])).status_code == 404
        )
    response = client.post(
        reverse("elderly_canteen_days:edit", args=[theirs.pk]),
        {"community": world.community.pk, "date": "2027-01-01", "reason": "改掉"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.reason == "和平的检查日" and theirs.community == county[0]


def test_writing_into_another_community_or_the_county_is_refused(world, county, client):
    other = county[0]
    client.force_login(world.users["committee"])
    url = reverse("elderly_canteen_days:add")
    form = client.get(url).content.decode()
    assert "和平社区" not in form  # not even offered
    before = CanteenDay.objects.count()
    for community, error in ((other.pk, "选择一个有效的选项"), ("", "必需字段")):
        response = client.post(
            url, {"community": community, "date": "2027-02-01", "reason": "越权"}
        )
        assert response.status_code == 200  # the form again, with its error
        assert error in response.content.decode()
    assert CanteenDay.objects.count() == before
    response = client.post(
        url, {"community": world.community.pk, "date": "2027-02-01", "reason": "消防演练"}
    )
    assert response.status_code == 302
    assert CanteenDay.objects.get(reason="消防演练").community == world.community


def test_a_superuser_may_still_close_a_day_for_the_whole_county(world, county, client):
    client.force_login(world.users["superuser"])
    response = client.post(
        reverse("elderly_canteen_days:add"),
        {"community": "", "date": "2027-05-01", "reason": "劳动节"},
    )
    assert response.status_code == 302
    assert CanteenDay.objects.get(reason="劳动节").community is None


def test_a_room_booking_offers_only_rooms_of_ones_own_community(world, county, client):
    ours = Room.objects.create(community=world.community, name="活动室甲")
    Room.objects.create(community=county[0], name="和平活动室")
    client.force_login(world.users["committee"])
    page = client.get(reverse("elderly_room_bookings:add")).content.decode()
    assert "活动室甲" in page and "和平活动室" not in page
    assert ours.name in _listing_rooms(client)


def _listing_rooms(client) -> str:
    return client.get(reverse("elderly_rooms:index")).content.decode()
