"""The outbox in the admin shows each person the messages of their own communities, as
every list of community data does: two communities in two townships (the county fixture
of tests/platform/roles/test_county_and_townships.py). A message says its community when
it is made (``notify.enqueue(..., community=...)``); one of no community (a sign-in code)
is for superusers only."""

import pytest
from django.urls import reverse

from anju import notify
from tests import factories as f
from tests.platform.roles import test_county_and_townships as county_tests

pytestmark = pytest.mark.django_db

county = county_tests.county  # the fixture


@pytest.fixture
def messages(county):
    def sms(key, community):
        message, _created = notify.enqueue(
            channel="sms",
            phone="13800000009",
            template="notify.plain",
            payload={"subject": "s", "body": "b"},
            dedup_key=key,
            community=community,
        )
        return message

    return {"a": sms("a", county.a), "b": sms("b", county.b.pk), "none": sms("none", None)}


@pytest.mark.parametrize(
    "role, sees",
    [
        ("committee", {"a"}),
        ("committee_b", {"b"}),
        ("superuser", {"a", "b", "none"}),
    ],
)
def test_each_role_sees_its_communities_messages(county, messages, client, role, sees):
    user = (
        f.UserFactory(username="root", is_superuser=True)
        if role == "superuser"
        else county.users[role]
    )
    client.force_login(user)
    response = client.get(reverse("notify_messages:index"))
    assert response.status_code == 200
    shown = list(response.context["object_list"])
    mine = {m.pk for m in messages.values()}
    assert {m.pk for m in shown} & mine == {messages[k].pk for k in sees}
    # The cases the fixture filed sent messages too: each shown one is of a community
    # the role sees.
    allowed = {messages[k].community_id for k in sees}
    assert {m.community_id for m in shown} <= allowed
    for key, message in messages.items():
        inspect = client.get(reverse("notify_messages:inspect", args=[message.pk]))
        assert inspect.status_code == (200 if key in sees else 404), key


@pytest.mark.parametrize(
    "role",
    [
        "grid_worker",
        "resident_rep",
        "service_staff",
        "resident",
        "desk_1",
        "partner_staff",
        "county",
        "township_1",
    ],
)
def test_roles_without_the_outbox_are_refused(county, messages, client, role):
    client.force_login(county.users[role])
    assert client.get(reverse("notify_messages:index")).status_code in (302, 403)
    inspect = client.get(reverse("notify_messages:inspect", args=[messages["a"].pk]))
    assert inspect.status_code in (302, 403, 404)
