"""Each role sees its own things, the same in the admin and the API (issue 21): the
community they work in, the outbox for the committee, everyone's own in-app messages,
the plugins' APIs from the API root, and an expired notice that can be taken down."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from anju.notices.models import NoticePage
from anju.notify.models import Channel, Message, Status
from tests import factories as f

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident"]


def api_for(world, role):
    client = APIClient()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


# --- the community they work in -------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_communities_lists_the_one_each_role_works_in(world, role):
    f.CommunityFactory(code="elsewhere", name="别的社区")
    response = api_for(world, role).get("/api/community/communities/")
    if role in ("service_staff", "resident", "anonymous"):
        assert response.status_code in (401, 403)
        return
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    assert codes == ({"anjuyuan", "elsewhere"} if role == "superuser" else {"anjuyuan"})


# --- the outbox and one's own messages ------------------------------------------------


def in_app(user, key, **extra):
    return Message.objects.create(
        channel=Channel.IN_APP,
        user=user,
        template="services.assigned",
        payload={"reference": "48210937", "service": "报修"},
        dedup_key=key,
        status=Status.SENT,
        sent_at=timezone.now(),
        **extra,
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_committee_sees_the_outbox_in_the_admin(world, client, role):
    ours = in_app(world.users["resident"], "m1", community=world.community)
    elsewhere = in_app(
        world.users["resident"], "m2", community=f.CommunityFactory(code="elsewhere")
    )
    unclaimed = in_app(world.users["resident"], "m3")  # of no community: a sign-in code
    client.force_login(world.users[role])
    response = client.get(reverse("notify_messages:index"))
    if role in ("superuser", "committee"):
        assert response.status_code == 200
        shown = set(response.context["object_list"])
        assert shown == ({ours, elsewhere, unclaimed} if role == "superuser" else {ours})
    else:
        assert response.status_code in (302, 403)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_their_own_in_app_messages_and_no_one_elses(world, role):
    mine = in_app(world.users[role], "mine")
    other = "committee" if role != "committee" else "resident"
    theirs = in_app(world.users[other], "theirs")
    api = api_for(world, role)
    response = api.get("/api/notify/messages/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert "48210937" in rows[0]["subject"]
    assert rows[0]["read"] is False
    assert api.post(f"/api/notify/messages/{mine.pk}/read/").json()["read"] is True
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert api.get(f"/api/notify/messages/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/notify/messages/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_has_no_messages(world):
    assert api_for(world, "anonymous").get("/api/notify/messages/").status_code in (401, 403)


# --- the API root links the plugins' APIs ---------------------------------------------


def test_the_api_root_links_each_plugins_api_and_each_answers(world):
    api = api_for(world, "committee")
    root = api.get("/api/").json()
    for slug in ("employment", "disputes"):
        assert root[slug].endswith(f"/api/{slug}/"), slug
        assert api.get(f"/api/{slug}/").status_code == 200, slug
    links = api.get("/api/employment/").json()
    assert links["postings"].endswith("/api/employment/postings/")


# --- unpublishing an expired notice ---------------------------------------------------


@pytest.fixture
def expired_notice(db):
    from anju.notices.models import NoticeIndexPage
    from anju.portal.site import ensure_home_page
    from tests.platform.notices.conftest import make_notice

    index = ensure_home_page().add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))
    notice = make_notice(index, "停水通知")
    NoticePage.objects.filter(pk=notice.pk).update(
        live=False, expired=True, expire_at=timezone.now() - datetime.timedelta(days=1)
    )
    notice.refresh_from_db()
    return notice


def test_an_expired_notice_can_be_unpublished_in_the_admin(world, client, expired_notice):
    client.force_login(world.users["superuser"])
    assert client.get(f"/notices/{expired_notice.slug}/").status_code == 200  # says expired
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[expired_notice.pk]))
    unpublish_url = reverse("wagtailadmin_pages:unpublish", args=[expired_notice.pk])
    assert unpublish_url in edit.content.decode()
    assert client.get(unpublish_url).status_code == 200
    response = client.post(unpublish_url)
    assert response.status_code == 302
    expired_notice.refresh_from_db()
    assert not expired_notice.live and not expired_notice.expired
    assert client.get(f"/notices/{expired_notice.slug}/").status_code == 404
