"""The outbox in the admin: read-only, filterable, whole-community scope, and a list that
costs the same number of queries however many messages it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, resolve, reverse

from anju.notify.models import Channel, Message, Status
from anju.permissions.urlscope import Scope, scope_of

pytestmark = pytest.mark.django_db

INDEX = "notify_messages:index"


def make_messages(world, count, start=0):
    users = list(world.users.values())
    for i in range(start, start + count):
        kind = i % 3
        common = {"template": "notify.plain", "payload": {"subject": "s", "body": "b"}}
        if kind == 0:
            Message.objects.create(
                channel=Channel.SMS, phone=f"138{i:08d}", dedup_key=f"sms:{i}", **common
            )
        elif kind == 1:
            Message.objects.create(
                channel=Channel.IN_APP, user=users[i % len(users)], dedup_key=f"app:{i}", **common
            )
        else:
            Message.objects.create(
                channel=Channel.EMAIL,
                email=f"u{i}@example.cn",
                dedup_key=f"mail:{i}",
                status=Status.FAILED,
                attempts=5,
                last_error="TemporaryFailure: provider unreachable",
                **common,
            )


def count_queries(client, url):
    client.get(url)  # warm up: session, content types, ...
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_shows_messages_with_their_errors(world, client):
    make_messages(world, 6)
    client.force_login(world.users["superuser"])
    response = client.get(reverse(INDEX))
    assert response.status_code == 200
    html = response.content.decode()
    assert "TemporaryFailure: provider unreachable" in html
    assert "138****0000" in html  # phones masked
    assert "13800000000" not in html


def test_the_list_filters_by_status_and_channel(world, client):
    make_messages(world, 6)
    client.force_login(world.users["superuser"])
    failed = client.get(reverse(INDEX), {"status": Status.FAILED}).context["object_list"]
    assert {m.status for m in failed} == {Status.FAILED} and len(failed) == 2
    sms = client.get(reverse(INDEX), {"channel": Channel.SMS}).context["object_list"]
    assert {m.channel for m in sms} == {Channel.SMS} and len(sms) == 2


def test_the_list_queries_do_not_grow_with_the_messages(world, client):
    client.force_login(world.users["superuser"])
    make_messages(world, 5)
    few = count_queries(client, reverse(INDEX))
    make_messages(world, 25, start=5)
    assert count_queries(client, reverse(INDEX)) == few


def test_a_message_can_be_inspected_but_not_changed(world, client):
    make_messages(world, 3)
    failed = Message.objects.get(status=Status.FAILED)
    client.force_login(world.users["superuser"])
    response = client.get(reverse("notify_messages:inspect", args=[failed.pk]))
    assert response.status_code == 200
    assert "TemporaryFailure: provider unreachable" in response.content.decode()
    for name in ("add", "edit", "delete", "copy"):
        with pytest.raises(NoReverseMatch):
            reverse(f"notify_messages:{name}", args=[] if name == "add" else [failed.pk])
    index = client.get(reverse(INDEX)).content.decode()
    assert reverse(INDEX) + "new/" not in index


def test_the_outbox_is_whole_community_data(world, client):
    match = resolve(reverse(INDEX))
    assert scope_of(match.func, match.view_name, match.route) == Scope.COMMUNITY
    client.force_login(world.users["grid_worker"])
    assert client.get(reverse(INDEX)).status_code == 403
