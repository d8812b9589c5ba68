"""Notices by audience: created and edited through the Wagtail admin's page forms, shown
to the residents they concern, and fanned out only to the targeted households — in the
app (and by e-mail) for linked accounts, by SMS for residents without one."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from anju.community.models import ResidentLink, SpecialGroup
from anju.notices.models import Audience, NoticePage
from anju.notify.models import Message
from anju.residents import linking
from tests.factories import ResidentFactory
from tests.platform.notify.conftest import notice_index

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def years_ago(years: int) -> datetime.date:
    today = datetime.date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28))


@pytest.fixture
def people(client, world):
    """resident1 (grid 1, 66) signs in and gives an e-mail address; resident3 (grid 1,
    75, phone, 独居); resident2 (grid 2, 66, phone); resident4 (grid 2, 80, no phone,
    独居) has a family member linked as 代理人."""
    world.resident3 = ResidentFactory(
        household=world.household1, name="王奶奶", birth_date=years_ago(75), relation="parent"
    )
    world.resident4 = ResidentFactory(
        household=world.household2, name="李爷爷", birth_date=years_ago(80), phone=None
    )
    world.group = SpecialGroup.objects.create(code="alone_test", name="独居测试")
    world.group.residents.add(world.resident3, world.resident4)
    sign_in(client, world.resident1.phone)
    world.account1 = ResidentLink.objects.get(resident=world.resident1).user
    world.account1.email = "wang@example.cn"
    world.account1.save()
    world.proxy = linking.add_proxy(world.users["superuser"], world.resident4, "13755556666").user
    Message.objects.all().delete()  # the sign-in SMS and the link notice
    client.logout()
    return world


def notice_form(**extra):
    # Multiple choices go as repeated fields; nested_form_data would number them.
    choices = {k: extra.pop(k) for k in list(extra) if isinstance(extra[k], list)}
    data = {
        "title": "停水通知",
        "slug": extra.pop("slug", "water"),
        "category": "public_affairs",
        "summary": "明天上午停水。",
        "body": rich_text("<p>请提前储水。</p>"),
        "attachments": inline_formset([]),
        "comments": inline_formset([]),
        "audience": "everyone",
        "action-publish": "action-publish",
        **extra,
    }
    return {**nested_form_data(data), **choices}


def create(client, world, **audience):
    client.force_login(world.users["superuser"])
    index = notice_index()
    url = reverse("wagtailadmin_pages:add", args=["notices", "noticepage", index.pk])
    return client.post(url, notice_form(**audience))


def audiences(world):
    """Each kind of audience, the form data that chooses it, and the messages expected."""
    u1, proxy = world.account1.pk, world.proxy.pk
    return {
        "everyone": (
            {},
            {
                ("in_app", u1),
                ("email", u1),
                ("sms", world.resident2.pk),
                ("sms", world.resident3.pk),
                ("in_app", proxy),
            },
        ),
        "grids": (
            {"audience": "grids", "audience_grids": [world.grid1.pk]},
            {("in_app", u1), ("email", u1), ("sms", world.resident3.pk)},
        ),
        "buildings": (
            {"audience": "buildings", "audience_buildings": [world.building2.pk]},
            {("sms", world.resident2.pk), ("in_app", proxy)},
        ),
        "groups": (
            {"audience": "groups", "audience_groups": [world.group.pk]},
            {("sms", world.resident3.pk), ("in_app", proxy)},
        ),
        "ages 70+": (
            {"audience": "ages", "audience_age_min": "70"},
            {("sms", world.resident3.pk), ("in_app", proxy)},
        ),
        "ages up to 69": (
            {"audience": "ages", "audience_age_max": "69"},
            {("in_app", u1), ("email", u1), ("sms", world.resident2.pk)},
        ),
    }


def sent(page):
    """(channel, resident or user pk) of each message of the notice's fan-out."""
    result = set()
    for key, channel in Message.objects.filter(
        dedup_key__startswith=f"notice:{page.pk}:"
    ).values_list("dedup_key", "channel"):
        _notice, _pk, _kind, who, _channel = key.split(":")
        result.add((channel, int(who)))
    return result


@pytest.mark.parametrize(
    "kind", ["everyone", "grids", "buildings", "groups", "ages 70+", "ages up to 69"]
)
def test_each_audience_is_saved_from_the_admin_and_reaches_only_its_people(
    client, people, kind, django_capture_on_commit_callbacks
):
    form, expected = audiences(people)[kind]
    with django_capture_on_commit_callbacks(execute=True):
        response = create(client, people, **form)
    assert response.status_code == 302, response.context and response.context["form"].errors
    page = NoticePage.objects.get(slug="water")
    assert page.live
    assert sent(page) == expected
    assert Message.objects.filter(dedup_key__startswith=f"notice:{page.pk}:").count() == len(
        expected
    )
    emails = [m for m in mail.outbox if "停水通知" in m.subject]
    assert [m.to for m in emails] == (
        [["wang@example.cn"]] if ("email", people.account1.pk) in expected else []
    )


def test_editing_a_notice_to_target_grids_and_groups_saves(client, people):
    response = create(client, people)
    page = NoticePage.objects.get(slug="water")
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(
        url, notice_form(audience="grids", audience_grids=[people.grid1.pk, people.grid2.pk])
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    page.refresh_from_db()
    assert page.audience == Audience.GRIDS
    assert set(page.audience_grids.all()) == {people.grid1, people.grid2}
    response = client.post(url, notice_form(audience="groups", audience_groups=[people.group.pk]))
    assert response.status_code == 302, response.context and response.context["form"].errors
    page.refresh_from_db()
    assert page.audience == Audience.GROUPS and list(page.audience_groups.all()) == [people.group]


@pytest.mark.parametrize(
    "form, message",
    [
        ({"audience": "grids"}, "请至少选择一个网格"),
        ({"audience": "buildings"}, "请至少选择一栋楼"),
        ({"audience": "groups"}, "请至少选择一个特殊群体"),
        ({"audience": "ages"}, "请填写最小年龄"),
        (
            {"audience": "ages", "audience_age_min": "70", "audience_age_max": "60"},
            "最大年龄不能小于",
        ),
    ],
)
def test_an_audience_with_nothing_chosen_is_refused_with_a_clear_message(
    client, people, form, message
):
    response = create(client, people, **form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not NoticePage.objects.filter(slug="water").exists()


def test_residents_see_the_notices_that_concern_them(
    client, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create(
            client,
            people,
            title="一网格停电",
            slug="grid1",
            audience="grids",
            audience_grids=[people.grid1.pk],
        )
        create(
            client,
            people,
            title="二号楼停水",
            slug="b2",
            audience="buildings",
            audience_buildings=[people.building2.pk],
        )
        create(client, people, title="全体居民大会", slug="all")
    client.logout()
    sign_in(client, people.resident1.phone)
    body = client.get("/me/").content.decode()
    assert "一网格停电" in body and "全体居民大会" in body and "二号楼停水" not in body
    # A targeted notice is marked with whom it is for; a notice for everyone is not.
    assert f"面向：{people.grid1.name}" in body and body.count("data-for-you") == 1
    # The proxy acting for 李爷爷 (building 2) sees building 2's notice.
    client.logout()
    sign_in(client, "13755556666")
    body = client.get("/me/").content.decode()
    assert "二号楼停水" in body and "一网格停电" not in body
    assert f"面向：{people.building2.name}" in body
    # Public notices stay public, targeted ones too: the list shows them to anyone and
    # their pages say whom they concern.
    client.logout()
    listing = client.get("/notices/").content.decode()
    assert all(title in listing for title in ("全体居民大会", "一网格停电", "二号楼停水"))
    page = client.get(NoticePage.objects.get(slug="grid1").url)
    assert page.status_code == 200
    assert f"面向：{people.grid1.name}" in page.content.decode()
    everyone = client.get(NoticePage.objects.get(slug="all").url).content.decode()
    assert "data-audience" not in everyone


@pytest.mark.parametrize(
    "form, label",
    [
        ({"audience": "ages", "audience_age_min": "70"}, "面向：70岁及以上的居民"),
        ({"audience": "ages", "audience_age_max": "69"}, "面向：69岁及以下的居民"),
        (
            {"audience": "ages", "audience_age_min": "16", "audience_age_max": "25"},
            "面向：16至25岁的居民",
        ),
    ],
)
def test_an_age_band_reads_in_words(client, people, form, label):
    assert create(client, people, **form).status_code == 302
    client.logout()
    page = client.get(NoticePage.objects.get(slug="water").url)
    assert label in page.content.decode()


def test_my_notices_cost_the_same_queries_however_many(
    client, people, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/me/").status_code == 200
        return len(ctx)

    create(client, people, slug="g0", audience="grids", audience_grids=[people.grid1.pk])
    client.logout()
    sign_in(client, people.resident1.phone)
    before = count()
    for n in range(1, 5):
        create(
            client,
            people,
            slug=f"g{n}",
            audience="groups" if n % 2 else "buildings",
            audience_groups=[people.group.pk],
            audience_buildings=[people.building1.pk],
        )
    client.logout()
    sign_in(client, people.resident1.phone)
    body = client.get("/me/").content.decode()
    assert body.count("data-for-you") == 3  # grid 1 and building 1's; not the groups'
    with django_assert_max_num_queries(before):
        client.get("/me/")
