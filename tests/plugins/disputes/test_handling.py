"""Mediation, escalation (grid → community → township / judicial referral), resolution,
follow-up and reopening — each through the services engine for the case."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from anju.services.models import CaseEvent, Level, Status
from anju.services.workflow import WorkflowError
from plugins.disputes import handling
from plugins.disputes.models import DisputeEscalation, MediationSession, Outcome

from .conftest import refused

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% agreement\n"


def test_mediation_sessions_several_per_dispute(world, dispute1):
    worker = world.users["grid_worker"]
    handling.record_session(dispute1, worker, attendees="双方", agreement="先修好防水层")
    document = SimpleUploadedFile("协议.pdf", PDF, content_type="application/pdf")
    handling.record_session(
        dispute1, worker, attendees="双方、居民代表", agreement="赔偿 500 元", document=document
    )
    sessions = list(MediationSession.objects.filter(dispute=dispute1))
    assert len(sessions) == 2
    assert sessions[0].mediator == worker
    assert sessions[1].agreement_document.name.endswith(".pdf")
    dispute1.case.refresh_from_db()
    assert dispute1.case.status == Status.IN_PROGRESS  # the first session started work


def test_an_agreement_that_is_not_what_it_says_is_refused(world, dispute1, client):
    client.force_login(world.users["grid_worker"])
    url = reverse("disputes_admin:act", args=[dispute1.pk, "session"])
    fake = SimpleUploadedFile("协议.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(
        url,
        {
            "session-held_at": "2026-03-01T10:00",
            "session-attendees": "双方",
            "session-agreement_document": fake,
        },
    )
    assert response.status_code == 400
    assert not MediationSession.objects.exists()


def test_session_through_the_admin_and_its_document_is_scoped(world, dispute1, client):
    client.force_login(world.users["grid_worker"])
    url = reverse("disputes_admin:act", args=[dispute1.pk, "session"])
    document = SimpleUploadedFile("agreement.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url,
        {
            "session-held_at": "2026-03-01T10:00",
            "session-attendees": "双方",
            "session-agreement": "和解",
            "session-agreement_document": document,
        },
    )
    assert response.status_code == 302
    session = MediationSession.objects.get()
    doc_url = reverse("disputes_admin:document", args=[session.pk])
    assert client.get(doc_url).status_code == 200
    client.force_login(world.users["service_staff"])
    assert refused(client.get(doc_url))


def test_escalation_grid_to_community_goes_through_the_engine(world, dispute1):
    worker = world.users["grid_worker"]
    handling.escalate(dispute1, worker, to_level="community", reason="双方分歧大")
    dispute1.refresh_from_db()
    case = dispute1.case
    case.refresh_from_db()
    assert dispute1.level == "community"
    assert (case.status, case.level) == (Status.ESCALATED, Level.COMMUNITY)
    assert case.assignee == world.users["committee"]  # the committee seat of grid 1
    # The case's own escalation, in its timeline: the plugin keeps no copy of it.
    assert not DisputeEscalation.objects.exists()
    (step,) = handling.escalation_steps(dispute1)
    assert (step.from_level, step.to_level) == ("grid", "community")
    assert step.reason == "双方分歧大" and step.escalated_by == worker


def test_referral_to_the_township_hands_the_dispute_over(world, dispute1):
    committee = world.users["committee"]
    handling.escalate(dispute1, world.users["grid_worker"], to_level="community", reason="大事")
    handling.escalate(dispute1, committee, to_level="township", reason="涉及多个部门")
    dispute1.refresh_from_db()
    dispute1.case.refresh_from_db()
    assert dispute1.level == "township" and dispute1.outcome == Outcome.REFERRED
    assert dispute1.resolved_at is not None and dispute1.follow_up_due is None
    assert dispute1.case.status == Status.RESOLVED
    assert dispute1.ending == "township" and dispute1.ended_at == dispute1.case.resolved_at
    steps = [(s.from_level, s.to_level) for s in handling.escalation_steps(dispute1)]
    assert steps == [("grid", "community"), ("community", "township")]
    # Only the hand-over goes beyond the community ladder: that is the plugin's record.
    handed_over = DisputeEscalation.objects.get()
    assert (handed_over.to_level, handed_over.reason) == ("township", "涉及多个部门")
    public = CaseEvent.objects.filter(case=dispute1.case, public=True, kind="comment")
    assert public.exists()  # the resident sees it was handed over


def test_judicial_referral(world, dispute1):
    committee = world.users["committee"]
    handling.escalate(dispute1, committee, to_level="community", reason="大事")
    handling.escalate(dispute1, committee, to_level="judicial", reason="需要诉讼")
    dispute1.refresh_from_db()
    assert (dispute1.level, dispute1.outcome) == ("judicial", Outcome.REFERRED)


def test_escalation_skips_no_level_and_needs_a_reason(world, dispute1):
    worker = world.users["grid_worker"]
    with pytest.raises(WorkflowError):
        handling.escalate(dispute1, worker, to_level="township", reason="直接转交")
    with pytest.raises(WorkflowError):
        handling.escalate(dispute1, worker, to_level="community", reason="  ")
    assert not DisputeEscalation.objects.exists()
    assert handling.escalation_steps(dispute1) == []
    dispute1.case.refresh_from_db()
    assert dispute1.case.level == Level.GRID


def test_an_escalation_by_the_engine_is_the_disputes(world, dispute1):
    from anju.services import workflow

    workflow.escalate(dispute1.case, reason="超时")  # the engine alone, with no actor
    dispute1.refresh_from_db()
    assert dispute1.level == "community"
    handling.resolve(dispute1, world.users["committee"])
    dispute1.refresh_from_db()
    assert dispute1.outcome == Outcome.RESOLVED_IN_COMMUNITY
    (step,) = handling.escalation_steps(dispute1)
    assert (step.reason, step.escalated_by) == ("超时", None)


def test_resolve_in_the_grid_sets_the_follow_up(world, dispute1, settings):
    settings.PLUGINS_CONFIG = {"disputes": {"FOLLOW_UP_DAYS": 10}}
    handling.resolve(dispute1, world.users["grid_worker"], note="当场化解")
    dispute1.refresh_from_db()
    assert dispute1.outcome == Outcome.RESOLVED_IN_GRID
    assert dispute1.follow_up_due == timezone.localdate() + datetime.timedelta(days=10)
    assert dispute1.case.status == Status.RESOLVED
    assert list(handling.due_follow_ups(dispute1.follow_up_due)) == [dispute1]
    assert not handling.due_follow_ups(timezone.localdate()).exists()


def test_withdrawn(world, dispute1):
    handling.withdraw(dispute1, world.users["grid_worker"], reason="双方自行和解，撤回")
    dispute1.refresh_from_db()
    assert dispute1.outcome == Outcome.WITHDRAWN and dispute1.follow_up_due is None
    with pytest.raises(WorkflowError):
        handling.resolve(dispute1, world.users["grid_worker"])


def test_follow_up_settled_closes_the_case(world, dispute1):
    worker = world.users["grid_worker"]
    handling.resolve(dispute1, worker)
    handling.follow_up(dispute1, worker, settled=True, satisfaction=5, note="没有再吵")
    dispute1.refresh_from_db()
    dispute1.case.refresh_from_db()
    assert dispute1.case.status == Status.CLOSED and dispute1.case.satisfaction == 5
    assert dispute1.outcome == Outcome.RESOLVED_IN_GRID
    assert dispute1.case.closed_at is not None and dispute1.follow_up_due is None
    assert not handling.due_follow_ups(timezone.localdate() + datetime.timedelta(days=30))


def test_a_relapse_reopens_the_case_and_the_dispute(world, dispute1):
    worker = world.users["grid_worker"]
    handling.resolve(dispute1, worker)
    handling.follow_up(dispute1, worker, settled=False, note="又漏水了")
    dispute1.refresh_from_db()
    dispute1.case.refresh_from_db()
    assert dispute1.case.status == Status.IN_PROGRESS
    assert dispute1.outcome == "" and dispute1.resolved_at is None
    assert dispute1.relapses == 1 and dispute1.is_open
    # and it can be worked on and settled again
    handling.record_session(dispute1, worker, agreement="重新做防水")
    handling.resolve(dispute1, worker)
    dispute1.refresh_from_db()
    assert dispute1.outcome == Outcome.RESOLVED_IN_GRID


def test_follow_up_through_the_admin(world, dispute1, client):
    worker = world.users["grid_worker"]
    handling.resolve(dispute1, worker)
    client.force_login(worker)
    url = reverse("disputes_admin:act", args=[dispute1.pk, "follow_up"])
    response = client.post(url, {"follow_up-settled": "no", "follow_up-note": "又吵起来了"})
    assert response.status_code == 302
    dispute1.refresh_from_db()
    assert dispute1.is_open and dispute1.relapses == 1


def test_actions_through_the_admin(world, dispute1, client):
    client.force_login(world.users["grid_worker"])
    act = lambda name: reverse("disputes_admin:act", args=[dispute1.pk, name])  # noqa: E731
    response = client.post(
        act("escalate"), {"escalate-to_level": "community", "escalate-reason": "大事"}
    )
    assert response.status_code == 302
    response = client.post(act("resolve"), {"resolve-note": "调解成功"})
    assert response.status_code == 302
    dispute1.refresh_from_db()
    assert dispute1.outcome == Outcome.RESOLVED_IN_COMMUNITY


def test_a_wrong_action_shows_the_reason(world, dispute1, client):
    client.force_login(world.users["grid_worker"])
    url = reverse("disputes_admin:act", args=[dispute1.pk, "escalate"])
    response = client.post(url, {"escalate-to_level": "township", "escalate-reason": "x"})
    assert response.status_code == 400
    assert not DisputeEscalation.objects.exists()


def test_due_follow_ups_remind_the_holder(world, dispute1):
    from anju.notify.models import Message
    from plugins.disputes.tasks import remind_follow_ups

    handling.resolve(dispute1, world.users["grid_worker"])
    assert remind_follow_ups() == 0  # not due yet
    # Settled FOLLOW_UP_DAYS (7) ago: the follow-up is due today.
    settled = timezone.now() - datetime.timedelta(days=7)
    type(dispute1.case).objects.filter(pk=dispute1.case_id).update(resolved_at=settled)
    dispute1.refresh_from_db()
    assert dispute1.follow_up_due == timezone.localdate()
    assert remind_follow_ups() == 1
    assert remind_follow_ups() == 0  # once per due date
    assert Message.objects.get(template="disputes.follow_up_due").user == world.users["grid_worker"]
