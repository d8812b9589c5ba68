"""A dispute follows its case when the case is changed through the engine itself — the
SLA sweep, or staff working it from the cases inbox — with no signal receiver in the
plugin: its level, outcome, follow-up and relapses are read from the case. (Plugins'
receivers run after commit; these tests never run on-commit callbacks, and need not.)"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from anju.services import case_changed, workflow
from anju.services.models import Case, Level, Status
from anju.services.sla import sweep_overdue
from plugins.disputes import handling
from plugins.disputes.models import Dispute, DisputeEscalation, DisputeLevel, Outcome

pytestmark = pytest.mark.django_db


def fresh(dispute) -> Dispute:
    """The dispute as a new request reads it, annotations and all."""
    return Dispute.objects.for_lists().get(pk=dispute.pk)


def test_the_plugin_has_no_receiver_of_case_changed():
    from anju.core.plugingate import plugin_of

    sync, asynchronous = case_changed._live_receivers(Case)
    owners = {plugin_of(receiver) for receiver in [*sync, *asynchronous]}
    assert "dummy_plugin" in owners  # the check sees plugins' receivers ...
    assert "disputes" not in owners  # ... and disputes has none


def test_the_sla_sweep_moves_the_dispute_to_the_community(world, dispute1):
    Case.objects.filter(pk=dispute1.case_id).update(
        accept_due=timezone.now() - datetime.timedelta(hours=1)
    )
    assert sweep_overdue().escalated == 1
    dispute = fresh(dispute1)
    assert dispute.level == DisputeLevel.COMMUNITY and dispute.current_level == "community"
    assert dispute.is_open
    (step,) = handling.escalation_steps(dispute)
    assert (step.from_level, step.to_level, step.escalated_by) == ("grid", "community", None)
    assert not DisputeEscalation.objects.exists()  # nothing copied
    # Settled now, it counts as settled in the community.
    handling.resolve(dispute, world.users["committee"])
    assert fresh(dispute1).outcome == Outcome.RESOLVED_IN_COMMUNITY
    assert Dispute.objects.filter(pk=dispute1.pk).with_state().get().current_outcome == (
        Outcome.RESOLVED_IN_COMMUNITY
    )


def _inbox(client, case, action, data):
    name = {"transition": "anju_case_transition", "follow_up": "anju_case_follow_up"}[action]
    response = client.post(reverse(name, args=[case.pk]), data)
    assert response.status_code == 302, response.content[:500]


def test_resolving_from_the_inbox_settles_the_dispute_and_sets_the_follow_up(
    world, dispute1, client
):
    client.force_login(world.users["grid_worker"])
    _inbox(client, dispute1.case, "transition", {"to": Status.ACCEPTED})
    assert fresh(dispute1).is_open
    _inbox(client, dispute1.case, "transition", {"to": Status.RESOLVED, "note": "调解成功"})
    dispute = fresh(dispute1)
    assert dispute.outcome == Outcome.RESOLVED_IN_GRID and dispute.level == "grid"
    assert dispute.follow_up_due == timezone.localdate() + datetime.timedelta(days=7)
    assert list(Dispute.objects.follow_up_pending()) == [dispute]
    assert dispute.days_to_resolve is not None


def test_escalating_from_the_inbox_moves_the_dispute(world, dispute1, client):
    client.force_login(world.users["grid_worker"])
    _inbox(client, dispute1.case, "transition", {"to": Status.ESCALATED, "reason": "涉及多户"})
    dispute = fresh(dispute1)
    assert dispute.level == DisputeLevel.COMMUNITY and dispute.is_open
    assert [s.reason for s in handling.escalation_steps(dispute)] == ["涉及多户"]


def test_a_failed_follow_up_from_the_inbox_reopens_the_dispute(world, dispute1, client):
    worker = world.users["grid_worker"]
    workflow.transition(dispute1.case, Status.ACCEPTED, worker)
    workflow.transition(dispute1.case, Status.RESOLVED, worker)
    client.force_login(worker)
    _inbox(client, dispute1.case, "follow_up", {"settled": "no", "note": "又漏水了"})
    dispute = fresh(dispute1)
    assert dispute.is_open and dispute.outcome == "" and dispute.relapses == 1
    assert dispute.follow_up_due is None and dispute.resolved_at is None
    assert Dispute.objects.get(pk=dispute1.pk).relapses == 1  # unannotated: the same
    # Settled again, then the follow-up holds: closed, nothing more due.
    _inbox(client, dispute1.case, "transition", {"to": Status.RESOLVED})
    _inbox(client, dispute1.case, "follow_up", {"settled": "yes", "satisfaction": "4"})
    dispute = fresh(dispute1)
    assert dispute.outcome == Outcome.RESOLVED_IN_GRID and dispute.follow_up_due is None
    assert dispute.relapses == 1


def test_reopening_a_settled_case_from_the_inbox_counts_as_a_relapse(world, dispute1):
    worker = world.users["grid_worker"]
    handling.resolve(dispute1, worker)
    workflow.transition(dispute1.case, Status.IN_PROGRESS, worker)  # "Start work" again
    dispute = fresh(dispute1)
    assert dispute.is_open and dispute.relapses == 1 and dispute.follow_up_due is None


def test_a_handed_over_dispute_that_relapses_comes_back_to_the_community(world, dispute1):
    committee = world.users["committee"]
    handling.escalate(dispute1, committee, to_level="community", reason="大事")
    handling.escalate(dispute1, committee, to_level="judicial", reason="需要诉讼")
    assert (fresh(dispute1).level, fresh(dispute1).outcome) == ("judicial", Outcome.REFERRED)
    assert fresh(dispute1).follow_up_due is None  # no follow-up of a hand-over
    workflow.follow_up(dispute1.case, committee, settled=False, note="法院退回")
    dispute = fresh(dispute1)
    assert (dispute.level, dispute.outcome, dispute.relapses) == ("community", "", 1)
    assert dispute.current_level == "community" and dispute.current_outcome == ""
    # Resolved again in the community: the old hand-over no longer describes it.
    workflow.transition(dispute1.case, Status.RESOLVED, committee)
    dispute = fresh(dispute1)
    assert dispute.outcome == Outcome.RESOLVED_IN_COMMUNITY
    assert dispute.current_outcome == Outcome.RESOLVED_IN_COMMUNITY
    assert dispute.level == "community" and dispute.follow_up_due is not None


def test_a_withdrawn_dispute_stays_withdrawn_once_the_case_is_closed(world, dispute1):
    worker = world.users["grid_worker"]
    handling.withdraw(dispute1, worker, reason="双方自行和解")
    workflow.follow_up(dispute1.case, worker, settled=True)
    dispute = fresh(dispute1)
    assert dispute.case.status == Status.CLOSED
    assert dispute.outcome == Outcome.WITHDRAWN == dispute.current_outcome


def test_the_plugins_own_escalation_is_recorded_once(world, dispute1):
    handling.escalate(
        dispute1, world.users["grid_worker"], to_level=DisputeLevel.COMMUNITY, reason="涉及多户"
    )
    assert len(handling.escalation_steps(dispute1)) == 1
    dispute1.case.refresh_from_db()
    assert dispute1.case.level == Level.COMMUNITY
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


def test_the_page_and_the_api_show_what_the_case_says(world, dispute1, client):
    """After the sweep and a hand-over: the list, the page and the API all read it."""
    Case.objects.filter(pk=dispute1.case_id).update(
        accept_due=timezone.now() - datetime.timedelta(hours=1)
    )
    sweep_overdue()
    handling.escalate(
        fresh(dispute1), world.users["committee"], to_level="township", reason="涉及多个部门"
    )
    client.force_login(world.users["committee"])
    page = client.get(reverse("disputes_admin:detail", args=[dispute1.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "在网格超出时限，已上报社区。" in html  # the sweep's step, with its text
    assert "涉及多个部门" in html
    steps = [(s.from_level, s.to_level) for s in page.context["escalations"]]
    assert steps == [("grid", "community"), ("community", "township")]
    listed = client.get(reverse("disputes_admin:index"), {"state": "ended"}).context["disputes"]
    assert [d.pk for d in listed] == [dispute1.pk]
    assert client.get(reverse("disputes_admin:index")).context["disputes"].count() == 0

    referred = client.get("/api/disputes/", {"outcome": "referred"}).json()["results"]
    (row,) = referred
    assert (row["level"], row["outcome"], row["relapses"]) == ("township", "referred", 0)
    assert row["resolved_at"] is not None and row["follow_up_due"] is None
    assert client.get("/api/disputes/", {"outcome": "open"}).json()["count"] == 0
    detail = client.get(f"/api/disputes/{dispute1.pk}/").json()
    assert [(s["from_level"], s["to_level"]) for s in detail["escalations"]] == steps
