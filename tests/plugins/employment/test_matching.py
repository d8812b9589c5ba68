"""Matching job seekers and postings both ways, and telling matching seekers of a new
posting through the notify outbox (once each, whatever the number of sends)."""

import pytest
from django.urls import reverse

from anju.notify.models import Message
from plugins.employment.matching import matches, notify_matching_seekers, postings_for, seekers_for
from tests import factories as f

from .conftest import make_posting, make_seeker

pytestmark = pytest.mark.django_db


@pytest.fixture
def postings(board):
    return {
        "sewing": make_posting(board, "缝纫工", place="local", pay_max=4000, tags=["women"]),
        "rebar": make_posting(board, "钢筋工", place="away", pay_max=9000, tags=["board"]),
        "tea": make_posting(
            board, "采茶工", place="local", pay_min=None, pay_max=None, tags=["older", "women"]
        ),
        "closed": make_posting(board, "保安", place="local", pay_max=5000, days=-1),
    }


@pytest.fixture
def seekers(world):
    extra = f.ResidentFactory(household=world.household2, name="赵四", phone="13700001111")
    return {
        "local_woman": make_seeker(world.resident1, wished_place="local", tags=["women"]),
        "away_5000": make_seeker(world.resident2, wished_place="away", min_pay=5000),
        "anything_6000": make_seeker(extra, wished_place="either", min_pay=6000),
    }


def test_matching_rules(postings, seekers):
    assert matches(postings["sewing"], seekers["local_woman"])
    assert not matches(postings["rebar"], seekers["local_woman"])  # place
    assert matches(postings["rebar"], seekers["away_5000"])
    assert not matches(postings["sewing"], seekers["anything_6000"])  # pay 4000 < 6000
    assert matches(postings["tea"], seekers["anything_6000"])  # pay by agreement fits


def test_postings_for_a_seeker_agree_with_the_rule(postings, seekers):
    open_ones = [p for key, p in postings.items() if key != "closed"]
    for seeker in seekers.values():
        expected = {p.pk for p in open_ones if matches(p, seeker)}
        assert set(postings_for(seeker).values_list("pk", flat=True)) == expected
    assert set(postings_for(seekers["local_woman"]).values_list("title", flat=True)) == {
        "缝纫工",
        "采茶工",
    }


def test_seekers_for_a_posting_agree_with_the_rule(postings, seekers):
    for posting in postings.values():
        expected = {s.pk for s in seekers.values() if matches(posting, s)}
        assert set(seekers_for(posting).values_list("pk", flat=True)) == expected
    placed = seekers["away_5000"]
    placed.status = "placed"
    placed.save()
    assert placed not in seekers_for(postings["rebar"])


def test_notifying_matching_seekers_sends_one_sms_each_and_never_twice(postings, seekers):
    posting = postings["tea"]
    expected = {s.resident.phone for s in seekers.values() if matches(posting, s)}
    assert notify_matching_seekers(posting) == len(expected) == 2
    messages = Message.objects.filter(dedup_key__startswith=f"employment:posting:{posting.pk}:")
    assert {m.phone for m in messages} == expected
    assert {m.channel for m in messages} == {"sms"}
    assert "采茶工" in str(messages[0].payload)
    assert notify_matching_seekers(posting) == 0  # a re-send adds nothing
    assert messages.count() == 2


def test_staff_notify_from_the_posting_page(client, world, postings, seekers):
    posting = postings["sewing"]
    url = reverse("employment_admin:posting", kwargs={"pk": posting.pk})
    client.force_login(world.users["resident_rep"])
    assert client.post(url).status_code in (302, 403)  # Wagtail sends refusals home
    assert not Message.objects.exists()
    client.force_login(world.users["service_staff"])
    page = client.get(url).content.decode()
    assert world.resident1.name in page
    client.post(url)
    client.post(url)
    assert Message.objects.filter(template="employment.new_posting").count() == 1


def test_a_grid_worker_notifies_only_seekers_of_their_grid(client, world, postings, seekers):
    # The grid worker sits on grid 1; the committee member on grid 1 has the community.
    posting = postings["tea"]  # matches resident1 (grid 1) and 赵四 (grid 2)
    from django.contrib.auth.models import Permission

    user = world.users["grid_worker"]
    user.user_permissions.add(Permission.objects.get(codename="notify_seekers"))
    client.force_login(user)
    url = reverse("employment_admin:posting", kwargs={"pk": posting.pk})
    page = client.get(url).content.decode()
    assert world.resident1.name in page and "赵四" not in page
    client.post(url)
    assert {m.phone for m in Message.objects.all()} == {world.resident1.phone}


def test_seeker_matches_page(client, world, postings, seekers):
    client.force_login(world.users["service_staff"])
    url = reverse("employment_admin:seeker_matches", kwargs={"pk": seekers["local_woman"].pk})
    page = client.get(url).content.decode()
    assert "缝纫工" in page and "采茶工" in page and "钢筋工" not in page
