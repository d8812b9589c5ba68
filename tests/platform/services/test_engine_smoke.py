"""The shortest path through the engine: file, work, resolve, follow up, close."""

from anju.services import workflow
from anju.services.models import Level, Status


def test_a_case_goes_from_filed_to_closed(world, case_in_grid1):
    case = case_in_grid1
    assert case.grid == world.grid1 and case.level == Level.GRID
    assert case.assignee == world.users["grid_worker"]  # the grid's grid worker
    assert len(case.reference) == 8 and case.phone_last4 == "5678"
    worker = world.users["grid_worker"]
    workflow.transition(case, Status.ACCEPTED, worker)
    workflow.transition(case, Status.IN_PROGRESS, worker)
    workflow.transition(case, Status.RESOLVED, worker)
    workflow.follow_up(case, worker, settled=True, satisfaction=5)
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.satisfaction == 5
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["filed", "status", "status", "status", "follow_up"]


def test_escalating_keeps_the_staff_note_private(world, case_in_grid1):
    workflow.transition(
        case_in_grid1,
        Status.ESCALATED,
        world.users["grid_worker"],
        reason="涉及多户，需社区协调",
        note="当事人情绪激动",
    )
    events = {e.text: e.public for e in case_in_grid1.events.all()}
    assert events["涉及多户，需社区协调"] is True
    assert events["当事人情绪激动"] is False
    assert case_in_grid1.level == Level.COMMUNITY


def test_every_change_is_signalled_to_receivers(world, case_in_grid1):
    from anju.services.signals import case_changed

    seen = []

    def receiver(sender, cases, kind, actor=None, **kwargs):
        seen.append((kind, [c.pk for c in cases], actor))

    case_changed.connect(receiver)
    try:
        worker = world.users["grid_worker"]
        workflow.transition(case_in_grid1, Status.ACCEPTED, worker)
        workflow.assign(case_in_grid1, world.users["committee"], world.users["committee"])
        workflow.escalate(case_in_grid1, actor=world.users["committee"], reason="大事")
    finally:
        case_changed.disconnect(receiver)
    assert [kind for kind, _ids, _actor in seen] == ["status", "assigned", "escalated"]
    assert all(ids == [case_in_grid1.pk] for _kind, ids, _actor in seen)
