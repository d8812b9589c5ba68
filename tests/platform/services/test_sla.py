"""The SLA sweep: overdue grid-level cases escalate to the community in batches, with
their timeline entry and one message per new holder per batch; community-level ones are
marked breached once; a second sweep does nothing; a case locked by someone at work on
it is left for the next sweep."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from anju.community.models import TeamRole
from anju.notify.models import Message
from anju.permissions import roles
from anju.services import sla, workflow
from anju.services.models import Case, CaseEvent, Level, Status
from tests import factories as f

from .conftest import file_case

HOUR = timezone.timedelta(hours=1)


def after(hours: float):
    return timezone.now() + hours * HOUR


def put(case, **fields):
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def escalation_messages():
    return Message.objects.filter(template="services.escalated", channel="in_app")


def cases_in_grid1(service, world, count, **fields):
    cases = [
        file_case(service, household=world.household1, phone=f"1381234{i:04d}")
        for i in range(count)
    ]
    if fields:
        Case.objects.filter(pk__in=[c.pk for c in cases]).update(**fields)
    return cases


def test_overdue_grid_cases_escalate_and_others_are_left(world, built_service):
    worker, committee = world.users["grid_worker"], world.users["committee"]
    not_accepted = file_case(built_service, household=world.household1)
    accepted = file_case(built_service, household=world.household1, phone="13800000001")
    workflow.transition(accepted, Status.ACCEPTED, worker)
    in_progress = file_case(built_service, household=world.household1, phone="13800000002")
    put(in_progress, status=Status.IN_PROGRESS, resolve_due=after(-1), accept_due=after(-50))
    resolved = file_case(built_service, household=world.household1, phone="13800000003")
    put(resolved, status=Status.RESOLVED, accept_due=after(-50), resolve_due=after(-1))
    rejected = file_case(built_service, household=world.household1, phone="13800000004")
    put(rejected, status=Status.REJECTED, accept_due=after(-50), resolve_due=after(-1))
    in_grid2 = file_case(built_service, household=world.household2, phone="13800000005")
    untouched = {c.pk: Case.objects.values().get(pk=c.pk) for c in (resolved, rejected)}
    events_before = CaseEvent.objects.count()

    # 25 hours on: past accepting (24 h), not past resolving (72 h).
    now = after(25)
    result = sla.sweep_overdue(now=now)
    escalated = {not_accepted.pk, in_progress.pk, in_grid2.pk}
    assert result.escalated == 3 and result.breached == 0 and result.batches == 1
    for case in Case.objects.filter(pk__in=escalated):
        assert (case.status, case.level) == (Status.ESCALATED, Level.COMMUNITY)
        assert case.sla_breached and case.escalated_at == now
        assert case.resolve_due == now + 72 * HOUR
        event = case.events.order_by("pk").last()
        assert event.kind == CaseEvent.Kind.ESCALATED and event.public
        assert event.actor is None and event.created_at == now
        assert event.to_status == Status.ESCALATED and event.text
    assert Case.objects.get(pk=not_accepted.pk).events.last().from_status == Status.SUBMITTED
    assert Case.objects.get(pk=in_progress.pk).events.last().from_status == Status.IN_PROGRESS
    # The holder at community level: the committee member seated on the grid.
    assert Case.objects.get(pk=not_accepted.pk).assignee == committee
    assert CaseEvent.objects.count() == events_before + 3
    # The accepted one is not late yet; resolved and rejected ones never are.
    accepted = Case.objects.get(pk=accepted.pk)
    assert (accepted.status, accepted.level, accepted.sla_breached) == (
        Status.ACCEPTED,
        Level.GRID,
        False,
    )
    for pk, row in untouched.items():
        assert Case.objects.values().get(pk=pk) == row

    # Past resolving: the accepted one goes too.
    result = sla.sweep_overdue(now=after(73))
    assert result.escalated == 1
    assert Case.objects.get(pk=accepted.pk).level == Level.COMMUNITY


def test_one_message_per_holder_per_batch_and_a_second_sweep_adds_nothing(world, built_service):
    committee = world.users["committee"]
    committee2 = f.UserFactory(username="committee2", role=roles.COMMITTEE)
    f.seat(committee2, world.grid2, TeamRole.COMMITTEE)
    grid1 = cases_in_grid1(built_service, world, 3)
    grid2 = [
        file_case(built_service, household=world.household2, phone=f"1390000{i:04d}")
        for i in range(2)
    ]
    now = after(25)
    result = sla.sweep_overdue(now=now)
    assert result.escalated == 5 and result.batches == 1 and result.messages == 2
    messages = {m.user_id: m for m in escalation_messages()}
    assert set(messages) == {committee.pk, committee2.pk}
    assert messages[committee.pk].payload["count"] == 3
    assert messages[committee2.pk].payload["count"] == 2
    for case in grid1:
        assert case.reference in messages[committee.pk].payload["references"]
    for case in grid2:
        assert Case.objects.get(pk=case.pk).assignee == committee2

    events = CaseEvent.objects.count()
    rows = list(Case.objects.order_by("pk").values())
    again = sla.sweep_overdue(now=now)
    assert (again.escalated, again.breached, again.batches, again.messages) == (0, 0, 0, 0)
    assert CaseEvent.objects.count() == events and escalation_messages().count() == 2
    assert list(Case.objects.order_by("pk").values()) == rows


def test_cases_of_a_grid_without_a_committee_seat_tell_every_committee_member(world, built_service):
    committee2 = f.UserFactory(username="committee2", role=roles.COMMITTEE)
    grid3 = f.GridFactory(community=world.community, number=3, name="第三网格")
    f.seat(committee2, grid3, TeamRole.COMMITTEE)  # on the community's committee too
    case = file_case(built_service, household=world.household2)  # grid 2: no seat
    result = sla.sweep_overdue(now=after(25))
    assert result.escalated == 1 and result.messages == 2
    assert Case.objects.get(pk=case.pk).assignee is None
    assert set(escalation_messages().values_list("user_id", flat=True)) == {
        world.users["committee"].pk,
        committee2.pk,
    }


def test_community_level_overdue_cases_are_marked_breached_once(world, built_service):
    committee = world.users["committee"]
    case = file_case(built_service, household=world.household1)
    workflow.escalate(case, actor=world.users["grid_worker"], reason="需社区协调")
    case.refresh_from_db()
    assert case.level == Level.COMMUNITY and not case.sla_breached
    messages = escalation_messages().count()
    events = case.events.count()

    # Not late yet at community level.
    assert sla.sweep_overdue(now=after(1)).breached == 0
    now = after(73)
    result = sla.sweep_overdue(now=now)
    assert (result.escalated, result.breached, result.batches) == (0, 1, 1)
    case.refresh_from_db()
    assert case.sla_breached and case.status == Status.ESCALATED
    assert case.level == Level.COMMUNITY and case.assignee == committee  # unchanged
    overdue = case.events.order_by("pk").last()
    assert overdue.kind == CaseEvent.Kind.OVERDUE and not overdue.public
    assert overdue.created_at == now and case.events.count() == events + 1
    assert escalation_messages().count() == messages + 1  # the holder is reminded

    again = sla.sweep_overdue(now=after(200))
    assert (again.breached, again.batches, again.messages) == (0, 0, 0)
    assert case.events.count() == events + 1


def test_community_level_cases_in_other_open_statuses_are_marked_too(world, built_service):
    case = file_case(built_service, household=world.household1)
    put(case, level=Level.COMMUNITY, status=Status.IN_PROGRESS, resolve_due=after(-1))
    assert sla.sweep_overdue().breached == 1
    case.refresh_from_db()
    assert case.sla_breached and case.status == Status.IN_PROGRESS


def test_ten_overdue_cases_in_batches_of_three(world, built_service):
    committee = world.users["committee"]
    cases = cases_in_grid1(built_service, world, 10)
    result = sla.sweep_overdue(now=after(25), size=3)
    assert result.escalated == 10 and result.batches == 4 and result.messages == 4
    assert not Case.objects.filter(pk__in=[c.pk for c in cases], level=Level.GRID).exists()
    counts = sorted(m.payload["count"] for m in escalation_messages())
    assert counts == [1, 3, 3, 3]
    assert set(escalation_messages().values_list("user_id", flat=True)) == {committee.pk}
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATED).count() == 10


def test_the_batch_size_comes_from_settings(world, built_service, settings):
    settings.SERVICES_SLA_BATCH_SIZE = 4
    cases_in_grid1(built_service, world, 10)
    result = sla.sweep_overdue(now=after(25))
    assert (result.escalated, result.batches) == (10, 3)


def test_a_failing_batch_leaves_earlier_batches_done(world, built_service, monkeypatch):
    cases = cases_in_grid1(built_service, world, 7)
    real = sla._escalate_batch
    calls = []

    def flaky(ids, now):
        calls.append(ids)
        if len(calls) == 2:
            real(ids, now)  # the work is done, then the batch dies before it commits
            raise RuntimeError("connection lost")
        return real(ids, now)

    monkeypatch.setattr(sla, "_escalate_batch", flaky)
    now = after(25)
    with pytest.raises(RuntimeError):
        sla.sweep_overdue(now=now, size=3)
    escalated = set(Case.objects.filter(level=Level.COMMUNITY).values_list("pk", flat=True))
    assert escalated == {c.pk for c in cases[:3]}
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATED).count() == 3
    monkeypatch.setattr(sla, "_escalate_batch", real)
    result = sla.sweep_overdue(now=now, size=3)
    assert result.escalated == 4
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATED).count() == 7


def test_the_celery_task_runs_the_sweep(world, built_service):
    from anju.services.tasks import sweep_overdue

    case = file_case(built_service, household=world.household1)
    put(case, accept_due=after(-1))
    assert sweep_overdue.delay().get(timeout=10) == {
        "escalated": 1,
        "breached": 0,
        "batches": 1,
        "messages": 1,
    }


def test_beat_sweeps_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["services-sweep-overdue"]
    assert entry["task"] == "services.sweep_overdue" and entry["schedule"] <= 300


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_case_locked_by_someone_at_work_waits_for_the_next_sweep(world, built_service):
    cases = cases_in_grid1(built_service, world, 5)
    busy = cases[2]
    locked, release, done = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def staff_at_work():
        try:
            with transaction.atomic():
                Case.objects.select_for_update().get(pk=busy.pk)
                locked.set()
                release.wait(timeout=30)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=staff_at_work)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        now = after(25)
        result = sla.sweep_overdue(now=now, size=2)
        assert result.escalated == 4, "the sweep waited for, or took, the locked case"
        assert Case.objects.get(pk=busy.pk).level == Level.GRID
        assert Case.objects.filter(pk__in=[c.pk for c in cases], level=Level.COMMUNITY).count() == 4
    finally:
        release.set()
        thread.join(timeout=30)
    assert done.is_set() and not errors, errors

    result = sla.sweep_overdue(now=now, size=2)
    assert result.escalated == 1 and result.batches == 1
    busy = Case.objects.get(pk=busy.pk)
    assert busy.level == Level.COMMUNITY and busy.sla_breached
