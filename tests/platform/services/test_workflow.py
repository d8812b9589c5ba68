"""The status workflow of a case: every allowed transition and no other, who may make
them, assignment, escalation by hand, follow-up and comments. Each change is one timeline
entry with who and when; a refused one changes nothing."""

import itertools

import pytest
from django.utils import timezone

from anju.notify.models import Message
from anju.services import workflow
from anju.services.models import Case, CaseEvent, HandlerRole, Level, Status
from anju.services.views import public_timeline
from anju.services.workflow import TRANSITIONS, WorkflowError
from tests import factories as f

from .conftest import file_case

ALL_PAIRS = list(itertools.product(Status.values, Status.values))


def put(case, status, *, level=None, **fields):
    """Put ``case`` in ``status`` (and ``level``) straight in the database."""
    level = level or (Level.COMMUNITY if status == Status.ESCALATED else Level.GRID)
    now = timezone.now()
    extra = {
        "accepted_at": now if status != Status.SUBMITTED else None,
        "resolved_at": now if status in (Status.RESOLVED, Status.CLOSED) else None,
        "closed_at": now if status == Status.CLOSED else None,
    }
    Case.objects.filter(pk=case.pk).update(status=status, level=level, **{**extra, **fields})
    case.refresh_from_db()
    return case


def state(case):
    """Everything a refused change must leave as it was."""
    row = Case.objects.values().get(pk=case.pk)
    events = list(CaseEvent.objects.filter(case=case).values_list("pk", flat=True))
    return row, events, Message.objects.count()


def expected(from_status, to_status, level) -> bool:
    """Whether ``transition`` may move a case at ``level`` from one status to another."""
    targets = TRANSITIONS[from_status]
    if level == Level.COMMUNITY:
        targets = targets - {Status.ESCALATED}
    return to_status in targets and to_status != Status.CLOSED  # closing: follow_up only


def _levels_for(from_status):
    return [Level.COMMUNITY] if from_status == Status.ESCALATED else [Level.GRID, Level.COMMUNITY]


MATRIX = [
    pytest.param(a, b, level, id=f"{level}:{a}->{b}")
    for a, b in ALL_PAIRS
    for level in _levels_for(a)
]


def test_the_matrix_covers_every_pair_of_statuses():
    pairs = {(p.values[0], p.values[1]) for p in MATRIX}
    assert pairs == set(ALL_PAIRS) and len(Status.values) == 7


@pytest.mark.parametrize("from_status,to_status,level", MATRIX)
def test_transition(world, case_in_grid1, from_status, to_status, level):
    worker = world.users["grid_worker"]
    case = put(case_in_grid1, from_status, level=level)
    before = state(case)
    events_before = len(before[1])
    reason = "不属于社区受理范围" if to_status == Status.REJECTED else ""

    if not expected(from_status, to_status, level):
        with pytest.raises(WorkflowError) as refused:
            workflow.transition(case, to_status, worker, reason=reason)
        assert refused.value.code in ("transition", "needs_follow_up")
        assert str(refused.value)  # a message a person can read
        assert state(case) == before, "a refused change changed something"
        return

    started = timezone.now()
    workflow.transition(case, to_status, worker, reason=reason)
    case.refresh_from_db()
    assert case.status == to_status
    new = list(CaseEvent.objects.filter(case=case).order_by("pk")[events_before:])
    assert len(new) == 1, [e.kind for e in new]
    event = new[0]
    assert event.actor == worker
    assert started <= event.created_at <= timezone.now()
    assert (event.from_status, event.to_status) == (from_status, to_status)
    assert event.public
    if to_status == Status.ESCALATED:
        assert event.kind == CaseEvent.Kind.ESCALATED
        assert case.level == Level.COMMUNITY
    else:
        assert event.kind == CaseEvent.Kind.STATUS
        assert case.level == level
    if to_status == Status.ACCEPTED:
        assert case.accepted_at is not None
    if to_status == Status.RESOLVED:
        assert case.resolved_at >= started
    if to_status == Status.REJECTED:
        assert case.rejection_reason == reason == event.text


# --- reject, follow-up, close ---------------------------------------------------------


def test_a_rejection_needs_a_reason_which_the_resident_sees(world, case_in_grid1):
    worker = world.users["grid_worker"]
    before = state(case_in_grid1)
    for blank in ("", "   "):
        with pytest.raises(WorkflowError) as refused:
            workflow.transition(case_in_grid1, Status.REJECTED, worker, reason=blank)
        assert refused.value.code == "reason_required"
    assert state(case_in_grid1) == before

    workflow.transition(case_in_grid1, Status.REJECTED, worker, reason="  请到派出所办理。 ")
    case = Case.objects.get(pk=case_in_grid1.pk)
    assert case.status == Status.REJECTED and case.rejection_reason == "请到派出所办理。"
    public = list(public_timeline(case))
    assert public[-1].to_status == Status.REJECTED and public[-1].text == "请到派出所办理。"


def test_transition_refuses_to_close_a_case_without_its_follow_up(world, case_in_grid1):
    case = put(case_in_grid1, Status.RESOLVED)
    before = state(case)
    with pytest.raises(WorkflowError) as refused:
        workflow.transition(case, Status.CLOSED, world.users["grid_worker"])
    assert refused.value.code == "needs_follow_up"
    assert state(case) == before


def test_a_settled_follow_up_closes_the_case_with_the_residents_satisfaction(world, case_in_grid1):
    worker = world.users["grid_worker"]
    case = put(case_in_grid1, Status.RESOLVED)
    started = timezone.now()
    workflow.follow_up(case, worker, settled=True, satisfaction=4, note="电话回访，很满意")
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.settled is True and case.satisfaction == 4
    assert case.closed_at >= started
    event = case.events.order_by("pk").last()
    assert event.kind == CaseEvent.Kind.FOLLOW_UP and event.actor == worker
    assert (event.from_status, event.to_status) == (Status.RESOLVED, Status.CLOSED)
    assert event.created_at >= started and event.text == "电话回访，很满意"


def test_an_unsettled_follow_up_sends_the_case_back_to_work(world, case_in_grid1):
    worker = world.users["grid_worker"]
    case = put(case_in_grid1, Status.RESOLVED)
    workflow.follow_up(case, worker, settled=False)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.settled is False
    assert case.resolved_at is None and case.closed_at is None
    event = case.events.order_by("pk").last()
    assert (event.kind, event.to_status, event.actor) == (
        CaseEvent.Kind.FOLLOW_UP,
        Status.IN_PROGRESS,
        worker,
    )
    # Back at work it can be resolved again, and followed up again.
    workflow.transition(case, Status.RESOLVED, worker)
    workflow.follow_up(case, worker, settled=True, satisfaction=5)
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED


@pytest.mark.parametrize("satisfaction", [0, 6, -1, 10])
def test_satisfaction_outside_one_to_five_is_refused(world, case_in_grid1, satisfaction):
    case = put(case_in_grid1, Status.RESOLVED)
    before = state(case)
    with pytest.raises(WorkflowError) as refused:
        workflow.follow_up(
            case, world.users["grid_worker"], settled=True, satisfaction=satisfaction
        )
    assert refused.value.code == "satisfaction"
    assert state(case) == before


@pytest.mark.parametrize("status", [s for s in Status.values if s != Status.RESOLVED])
def test_only_a_resolved_case_is_followed_up(world, case_in_grid1, status):
    case = put(case_in_grid1, status)
    before = state(case)
    with pytest.raises(WorkflowError):
        workflow.follow_up(case, world.users["grid_worker"], settled=True, satisfaction=5)
    assert state(case) == before


# --- who may change a case ------------------------------------------------------------


@pytest.fixture
def other_grid_worker(world):
    """A grid worker seated on grid 2 only."""
    from anju.community.models import TeamRole
    from anju.permissions import roles

    user = f.UserFactory(username="gridworker2", role=roles.GRID_WORKER)
    f.seat(user, world.grid2, TeamRole.GRID_WORKER)
    return user


@pytest.mark.parametrize("role", ["resident_rep", "resident", "service_staff", "anonymous"])
def test_people_who_do_not_handle_the_case_cannot_change_it(world, case_in_grid1, role):
    from django.contrib.auth.models import AnonymousUser

    actor = AnonymousUser() if role == "anonymous" else world.users[role]
    assert case_in_grid1.service.handler_role == HandlerRole.GRID_WORKER
    before = state(case_in_grid1)
    attempts = [
        lambda: workflow.transition(case_in_grid1, Status.ACCEPTED, actor),
        lambda: workflow.transition(case_in_grid1, Status.REJECTED, actor, reason="不办"),
        lambda: workflow.escalate(case_in_grid1, actor=actor),
        lambda: workflow.comment(case_in_grid1, actor, "我来看看", public=True),
        lambda: workflow.assign(case_in_grid1, world.users["grid_worker"], actor),
    ]
    for attempt in attempts:
        with pytest.raises(WorkflowError) as refused:
            attempt()
        assert refused.value.code == "forbidden"
    put(case_in_grid1, Status.RESOLVED)
    before = state(case_in_grid1)
    with pytest.raises(WorkflowError):
        workflow.follow_up(case_in_grid1, actor, settled=True, satisfaction=5)
    assert state(case_in_grid1) == before


def test_a_grid_worker_of_another_grid_cannot_change_the_case(
    world, case_in_grid1, case_in_grid2, other_grid_worker
):
    # world's grid worker sits on grid 1, the other on grid 2: neither reaches across.
    for case, outsider in (
        (case_in_grid1, other_grid_worker),
        (case_in_grid2, world.users["grid_worker"]),
    ):
        before = state(case)
        with pytest.raises(WorkflowError) as refused:
            workflow.transition(case, Status.ACCEPTED, outsider)
        assert refused.value.code == "forbidden"
        assert state(case) == before
    # Each may work on their own grid's case.
    workflow.transition(case_in_grid2, Status.ACCEPTED, other_grid_worker)
    assert Case.objects.get(pk=case_in_grid2.pk).status == Status.ACCEPTED


def test_the_assignee_may_work_on_the_case(world, case_in_grid1):
    worker = world.users["grid_worker"]
    assert case_in_grid1.assignee == worker
    workflow.transition(case_in_grid1, Status.ACCEPTED, worker)
    workflow.comment(case_in_grid1, worker, "明天上门查看", public=True)
    workflow.transition(case_in_grid1, Status.IN_PROGRESS, worker)
    assert Case.objects.get(pk=case_in_grid1.pk).status == Status.IN_PROGRESS


def test_the_assignee_without_other_access_may_work_on_it(world, case_in_grid2):
    """Service staff see only service-staff services' cases — but one assigned to them
    (by the committee, for a service they handle) they may work on."""
    staff = world.users["service_staff"]
    case = case_in_grid2
    case.service.handler_role = HandlerRole.SERVICE_STAFF
    case.service.save()
    assert case.assignee is None  # a service-staff service waits in their inbox
    workflow.assign(case, staff, world.users["committee"])
    workflow.transition(case, Status.ACCEPTED, staff)
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.assignee == staff


def test_whoever_accepts_an_unassigned_case_holds_it(world, case_in_grid2):
    committee = world.users["committee"]
    assert case_in_grid2.assignee is None
    workflow.transition(case_in_grid2, Status.ACCEPTED, committee)
    assert Case.objects.get(pk=case_in_grid2.pk).assignee == committee


# --- assignment -----------------------------------------------------------------------


def test_the_committee_assigns_to_eligible_assignees(world, case_in_grid1, other_grid_worker):
    committee, worker = world.users["committee"], world.users["grid_worker"]
    eligible = set(workflow.eligible_assignees(case_in_grid1))
    assert {committee, worker} <= eligible
    for outsider in ("resident_rep", "resident", "service_staff"):
        assert world.users[outsider] not in eligible
    assert other_grid_worker not in eligible

    started = timezone.now()
    workflow.assign(case_in_grid1, committee, committee)
    case = Case.objects.get(pk=case_in_grid1.pk)
    assert case.assignee == committee
    event = case.events.order_by("pk").last()
    assert event.kind == CaseEvent.Kind.ASSIGNED and event.actor == committee
    assert event.created_at >= started
    assert Message.objects.filter(
        channel="in_app", user=committee, template="services.assigned"
    ).exists()

    for ineligible in (
        world.users["resident_rep"],
        world.users["resident"],
        world.users["service_staff"],
        other_grid_worker,
    ):
        before = state(case)
        with pytest.raises(WorkflowError) as refused:
            workflow.assign(case, ineligible, committee)
        assert refused.value.code == "assignee"
        assert state(case) == before


def test_service_staff_are_eligible_for_service_staff_services(world, case_in_grid1):
    staff = world.users["service_staff"]
    assert staff not in workflow.eligible_assignees(case_in_grid1)
    case_in_grid1.service.handler_role = HandlerRole.SERVICE_STAFF
    case_in_grid1.service.save()
    assert staff in workflow.eligible_assignees(Case.objects.get(pk=case_in_grid1.pk))


@pytest.mark.parametrize("role", ["grid_worker", "resident_rep", "service_staff", "resident"])
def test_only_the_committee_assigns(world, case_in_grid1, role):
    before = state(case_in_grid1)
    with pytest.raises(WorkflowError) as refused:
        workflow.assign(case_in_grid1, world.users["committee"], world.users[role])
    assert refused.value.code == "forbidden"
    assert state(case_in_grid1) == before


def test_a_closed_case_is_not_assigned(world, case_in_grid1):
    case = put(case_in_grid1, Status.CLOSED)
    before = state(case)
    with pytest.raises(WorkflowError) as refused:
        workflow.assign(case, world.users["grid_worker"], world.users["committee"])
    assert refused.value.code == "closed"
    assert state(case) == before


# --- escalation by hand ---------------------------------------------------------------


@pytest.mark.parametrize("how", ["escalate", "transition"])
def test_manual_escalation_goes_to_the_grids_committee_seat(world, case_in_grid1, how):
    worker, committee = world.users["grid_worker"], world.users["committee"]
    workflow.transition(case_in_grid1, Status.ACCEPTED, worker)
    started = timezone.now()
    if how == "escalate":
        workflow.escalate(case_in_grid1, actor=worker, reason="涉及多户，需社区协调")
    else:
        workflow.transition(case_in_grid1, Status.ESCALATED, worker, reason="涉及多户，需社区协调")
    case = Case.objects.get(pk=case_in_grid1.pk)
    assert case.status == Status.ESCALATED and case.level == Level.COMMUNITY
    assert case.assignee == committee and case.escalated_at >= started
    assert not case.sla_breached  # by hand, not by the clock
    assert case.resolve_due >= started + timezone.timedelta(hours=case.service.resolve_hours)
    event = case.events.order_by("pk").last()
    assert event.kind == CaseEvent.Kind.ESCALATED and event.actor == worker
    assert event.text == "涉及多户，需社区协调" and event.public
    message = Message.objects.get(template="services.escalated")
    assert message.channel == "in_app" and message.user == committee
    assert case.reference in message.payload["references"]
    # At community level there is nowhere higher to go.
    before = state(case)
    with pytest.raises(WorkflowError):
        workflow.escalate(case, actor=committee)
    assert state(case) == before


def test_escalating_a_case_of_a_grid_without_a_committee_seat_tells_the_committee(
    world, case_in_grid2
):
    committee = world.users["committee"]
    workflow.escalate(case_in_grid2, actor=committee, reason="网格无人")
    case = Case.objects.get(pk=case_in_grid2.pk)
    assert case.level == Level.COMMUNITY and case.assignee is None
    # Nobody holds it: every committee member of the community hears of it.
    assert Message.objects.get(template="services.escalated").user == committee


# --- comments -------------------------------------------------------------------------


def test_public_replies_reach_the_resident_and_staff_notes_do_not(world, case_in_grid1):
    worker = world.users["grid_worker"]
    sms_before = Message.objects.filter(channel="sms").count()
    note = workflow.comment(case_in_grid1, worker, "住户脾气急，注意沟通", public=False)
    assert Message.objects.filter(channel="sms").count() == sms_before
    reply = workflow.comment(case_in_grid1, worker, "师傅明天上午到", public=True)
    replied = Message.objects.get(channel="sms", template="services.replied")
    assert replied.phone == "13812345678"  # encrypted: compared once read back
    assert (note.kind, note.public, note.actor) == (CaseEvent.Kind.COMMENT, False, worker)
    assert (reply.kind, reply.public, reply.actor) == (CaseEvent.Kind.COMMENT, True, worker)
    public = [e.text for e in public_timeline(case_in_grid1)]
    assert "师傅明天上午到" in public and "住户脾气急，注意沟通" not in public


def test_an_empty_comment_is_refused(world, case_in_grid1):
    before = state(case_in_grid1)
    with pytest.raises(WorkflowError) as refused:
        workflow.comment(case_in_grid1, world.users["grid_worker"], "   ")
    assert refused.value.code == "empty"
    assert state(case_in_grid1) == before


def test_a_note_with_a_status_change_is_staff_only(world, case_in_grid1):
    worker = world.users["grid_worker"]
    workflow.transition(case_in_grid1, Status.ACCEPTED, worker, note="先打电话确认")
    events = list(case_in_grid1.events.order_by("pk"))
    assert [(e.kind, e.public) for e in events[-2:]] == [
        (CaseEvent.Kind.STATUS, True),
        (CaseEvent.Kind.COMMENT, False),
    ]
    assert "先打电话确认" not in [e.text for e in public_timeline(case_in_grid1)]


def test_every_case_in_a_file_keeps_its_own_timeline(world, built_service):
    a = file_case(built_service, household=world.household1)
    b = file_case(built_service, household=world.household1, phone="13900001111")
    workflow.transition(a, Status.ACCEPTED, world.users["grid_worker"])
    assert b.events.count() == 1 and a.events.count() == 2


def test_an_escalations_reason_is_public_and_its_note_is_not(world, case_in_grid1):
    worker = world.users["grid_worker"]
    workflow.transition(
        case_in_grid1, Status.ESCALATED, worker, reason="需要社区协调", note="该户情绪激动"
    )
    public = [e.text for e in public_timeline(case_in_grid1)]
    assert "需要社区协调" in public and "该户情绪激动" not in public
    note = case_in_grid1.events.order_by("pk").last()
    assert (note.kind, note.public, note.text) == (CaseEvent.Kind.COMMENT, False, "该户情绪激动")
