"""A dispute follows its case when the case is changed through the engine itself: the
SLA sweep, or staff working it from the cases inbox (anju.services.signals)."""

import datetime

from django.utils import timezone

from anju.services import workflow
from anju.services.models import Case, Status
from anju.services.sla import sweep_overdue
from plugins.disputes import handling
from plugins.disputes.models import DisputeEscalation, DisputeLevel, Outcome

# Plugin receivers run after the engine's transaction commits (anju.core.signals).


def test_the_sla_sweep_moves_the_dispute_to_the_community(
    world, dispute1, django_capture_on_commit_callbacks
):
    Case.objects.filter(pk=dispute1.case_id).update(
        accept_due=timezone.now() - datetime.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_overdue().escalated == 1
    dispute1.refresh_from_db()
    assert dispute1.level == DisputeLevel.COMMUNITY
    assert DisputeEscalation.objects.filter(dispute=dispute1).count() == 1


def test_resolving_from_the_inbox_records_the_outcome_and_the_follow_up(
    world, dispute1, django_capture_on_commit_callbacks
):
    worker = world.users["grid_worker"]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(dispute1.case, Status.ACCEPTED, worker)
        workflow.transition(dispute1.case, Status.RESOLVED, worker)
    dispute1.refresh_from_db()
    assert dispute1.outcome == Outcome.RESOLVED_IN_GRID
    assert dispute1.follow_up_due is not None


def test_a_failed_follow_up_from_the_inbox_reopens_the_dispute(
    world, dispute1, django_capture_on_commit_callbacks
):
    worker = world.users["grid_worker"]
    # Each action is its own request, committed before the next.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(dispute1.case, Status.ACCEPTED, worker)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(dispute1.case, Status.RESOLVED, worker)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.follow_up(dispute1.case, worker, settled=False, note="又漏水了")
    dispute1.refresh_from_db()
    assert dispute1.outcome == "" and dispute1.relapses == 1 and dispute1.is_open


def test_the_plugins_own_escalation_is_recorded_once(world, dispute1):
    handling.escalate(
        dispute1, world.users["grid_worker"], to_level=DisputeLevel.COMMUNITY, reason="涉及多户"
    )
    assert DisputeEscalation.objects.filter(dispute=dispute1).count() == 1
    handling.resolve(dispute1, world.users["committee"])
    dispute1.refresh_from_db()
    assert dispute1.outcome == Outcome.RESOLVED_IN_COMMUNITY


def test_the_api_schema_names_the_levels_once(client):
    import json

    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    components = schema["components"]["schemas"]
    assert "DisputeLevelEnum" in components and "CaseLevelEnum" in components
    assert not any(name.startswith(("FromLevel", "ToLevel", "Level")) for name in components)


def test_a_resident_leaving_the_register_stays_a_party_by_name(world, dispute1):
    party = dispute1.parties.get(resident=world.resident1)
    world.resident1.delete()
    party.refresh_from_db()
    assert party.resident is None and party.display_name == "王小明"
