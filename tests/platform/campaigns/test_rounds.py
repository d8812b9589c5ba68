"""Rounds: the list is materialised when a round starts (admin or beat), each target falls
to its grid's worker, a refresh follows the register, and a household that leaves the
register keeps its record."""

import datetime

import pytest
from django.urls import reverse

from anju.campaigns import rounds, tasks
from anju.campaigns.models import Outcome, Round, Target
from tests import factories as f

from .conftest import make_campaign

pytestmark = pytest.mark.django_db


def test_starting_a_round_in_the_admin_materialises_the_list(world, campaign, client):
    client.force_login(world.users["committee"])
    url = reverse("anju_campaigns:campaign", args=[campaign.pk])
    response = client.post(url, {"starts_on": "2026-03-01", "due_on": "2026-03-31"})
    assert response.status_code == 302
    round_ = Round.objects.get(campaign=campaign)
    assert (round_.number, round_.starts_on, round_.due_on) == (
        1,
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 31),
    )
    targets = {t.household_id: t for t in round_.targets.all()}
    assert set(targets) == {world.household1.pk, world.household2.pk}
    one = targets[world.household1.pk]
    assert (one.address, one.grid_name, one.floor) == ("1号楼1单元101", "第一网格", 1)
    assert one.assignee == world.users["grid_worker"]  # the grid worker of grid 1
    assert targets[world.household2.pk].assignee is None  # grid 2 has no worker
    assert round_.materialised_at is not None


def test_a_bad_period_and_a_second_round_on_the_same_day_are_refused(world, campaign, client):
    client.force_login(world.users["committee"])
    url = reverse("anju_campaigns:campaign", args=[campaign.pk])
    response = client.post(url, {"starts_on": "2026-03-31", "due_on": "2026-03-01"})
    assert response.status_code == 400 and not Round.objects.exists()
    client.post(url, {"starts_on": "2026-03-01", "due_on": "2026-03-31"})
    response = client.post(url, {"starts_on": "2026-03-01", "due_on": "2026-04-30"})
    assert response.status_code == 400
    assert Round.objects.count() == 1


def test_a_round_whose_rule_matches_nobody_does_not_start(world, campaign, client):
    campaign.min_age = 110
    campaign.save()
    client.force_login(world.users["committee"])
    url = reverse("anju_campaigns:campaign", args=[campaign.pk])
    response = client.post(url, {"starts_on": "2026-03-01", "due_on": "2026-03-31"})
    assert response.status_code == 400
    assert "nobody" in response.content.decode() or "没有" in response.content.decode()
    assert not Round.objects.exists()


def test_grid_workers_cannot_start_rounds(world, campaign, client):
    client.force_login(world.users["grid_worker"])
    url = reverse("anju_campaigns:campaign", args=[campaign.pk])
    response = client.post(url, {"starts_on": "2026-03-01", "due_on": "2026-03-31"})
    assert response.status_code == 403 and not Round.objects.exists()


def test_refresh_adds_newcomers_and_drops_unanswered_leavers_keeping_their_rows(
    world, campaign, round_, client
):
    newcomer = f.HouseholdFactory(building=world.building1, room="102")
    f.ResidentFactory(household=newcomer)
    # Household 2 leaves the register: its resident moves away, the household is removed.
    world.household2.head = None
    world.household2.save()
    world.resident2.delete()
    world.visit2.delete()
    world.household2.delete()
    client.force_login(world.users["committee"])
    response = client.post(reverse("anju_campaigns:refresh", args=[round_.pk]))
    assert response.status_code == 302
    targets = list(Target.objects.filter(round=round_).order_by("pk"))
    assert len(targets) == 3
    departed = targets[1]
    assert departed.household is None and departed.address == "2号楼1单元201"
    assert departed.grid_name == "第二网格" and departed.active is False
    added = targets[2]
    assert added.household == newcomer and added.active
    assert added.assignee == world.users["grid_worker"]
    # Refreshing again changes nothing.
    assert rounds.refresh_round(round_) == {"added": 0, "removed": 0, "restored": 0}


def test_a_closed_round_is_not_refreshed(world, round_):
    rounds.close_round(round_)
    with pytest.raises(rounds.RoundError):
        rounds.refresh_round(round_)


def test_beat_starts_the_first_round_then_the_next_monthly_one(world, checklist, monkeypatch):
    campaign = make_campaign(
        world, checklist=checklist, recurrence="monthly", starts_on=datetime.date(2026, 1, 31)
    )
    today = datetime.date(2026, 2, 10)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: today)
    assert len(tasks.start_due_rounds.delay().get()) == 1
    first = Round.objects.get(campaign=campaign)
    assert first.starts_on == datetime.date(2026, 1, 31)
    assert first.due_on == datetime.date(2026, 3, 1)  # 30 days
    assert tasks.start_due_rounds.delay().get() == []  # idempotent: next is 28 Feb
    today = datetime.date(2026, 2, 28)
    [second_pk] = tasks.start_due_rounds.delay().get()
    second = Round.objects.get(pk=second_pk)
    assert (second.number, second.starts_on) == (2, datetime.date(2026, 2, 28))
    assert second.targets.count() == 2
    first.refresh_from_db()
    assert first.status == Round.Status.CLOSED  # superseded
    assert tasks.start_due_rounds.delay().get() == []


def test_beat_leaves_one_off_and_stopped_campaigns_alone(world, monkeypatch):
    today = datetime.date(2026, 6, 1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: today)
    once = make_campaign(world, recurrence="none", starts_on=datetime.date(2026, 1, 1))
    stopped = make_campaign(world, recurrence="yearly", is_active=False)
    rounds.start_due_rounds(today)
    rounds.start_due_rounds(today)
    assert once.rounds.count() == 1 and not stopped.rounds.exists()


def test_the_beat_schedule_runs_the_campaign_tasks(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"campaigns.start_due_rounds", "campaigns.sweep_overdue"} <= tasks_scheduled


@pytest.mark.parametrize(
    ("recurrence", "start", "after"),
    [
        ("monthly", datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)),
        ("quarterly", datetime.date(2026, 11, 15), datetime.date(2027, 2, 15)),
        ("yearly", datetime.date(2026, 4, 1), datetime.date(2027, 4, 1)),
        ("season", datetime.date(2026, 11, 1), datetime.date(2027, 11, 1)),
        ("none", datetime.date(2026, 1, 1), None),
    ],
)
def test_periods(world, recurrence, start, after):
    assert rounds.period_after(make_campaign(world, recurrence=recurrence), start) == after


def test_floor_of_room():
    assert [rounds.floor_of(r) for r in ("101", "1204", "12", "F3", "")] == [1, 12, 0, 0, 0]


def test_outcome_starts_pending(target1):
    assert target1.outcome == Outcome.PENDING and target1.is_due
