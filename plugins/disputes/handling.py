"""Handling a dispute: who may see it, and every change to one.

Each change goes through the services engine for the case (``anju.services``:
accepting, escalating grid → community, resolving, the follow-up) and records only what
goes beyond the engine here (a hand-over to the township or the courts, a withdrawal,
parties, mediation sessions), in one transaction. The dispute's level and outcome are
read from its case (``models.Dispute.level``, ``.outcome``), so a change made through
the engine itself — the cases inbox, the SLA sweep — needs nothing from this plugin.
Errors are the engine's ``WorkflowError``, whose text is translated and shown to staff
as is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anju import notify, services
from anju.community import GridTeamMember, TeamRole
from anju.services import Case, CaseEvent, Status, WorkflowError, visible_cases

from .models import (
    ANNOTATIONS,
    NEXT_LEVELS,
    REFERRAL_LEVELS,
    Dispute,
    DisputeEscalation,
    DisputeLevel,
    DisputeParty,
    Ending,
    MediationSession,
    RiskLevel,
    follow_up_cutoff,
)

VIEW = "disputes.view_dispute"
CHANGE = "disputes.change_dispute"
HIGH_RISK_TEMPLATE = "disputes.high_risk"
FOLLOW_UP_TEMPLATE = "disputes.follow_up_due"


# --- who sees what -----------------------------------------------------------------------


def visible_disputes(user, queryset=None):
    """The disputes ``user`` may see: those whose case the engine lets them see
    (their grids' team, the committee for the whole community), and only for roles
    granted ``disputes.view_dispute`` — service staff and residents see none."""
    queryset = Dispute.objects.all() if queryset is None else queryset
    if user is None or not user.is_authenticated or not user.has_perm(VIEW):
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(case__in=visible_cases(user, Case.objects.all()).values("pk"))


def can_see(user, dispute: Dispute) -> bool:
    return visible_disputes(user, Dispute.objects.filter(pk=dispute.pk)).exists()


def may_handle(user, dispute: Dispute) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_perm(CHANGE)
        and services.may_work_on(user, dispute.case)
        and can_see(user, dispute)
    )


def _check(user, dispute):
    if not may_handle(user, dispute):
        raise WorkflowError(_("You may not change this dispute."), code="forbidden")


def _locked(dispute: Dispute) -> Dispute:
    fresh = Dispute.objects.select_for_update().select_related("case").get(pk=dispute.pk)
    dispute.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    for annotation in ANNOTATIONS:  # a list's figures, stale once this changes the case
        dispute.__dict__.pop(annotation, None)
    dispute.case = fresh.case
    return dispute


# --- filing ------------------------------------------------------------------------------


def create_dispute(
    case: Case,
    *,
    dispute_type: str,
    summary: str,
    place: str = "",
    risk: str = RiskLevel.LOW,
    visit=None,
    parties=(),
) -> Dispute:
    """The dispute of a just-filed ``case`` (called inside ``submit``'s transaction).
    ``parties`` are unsaved ``DisputeParty`` objects (or dicts of their fields)."""
    dispute = Dispute.objects.create(
        case=case,
        dispute_type=dispute_type,
        summary=summary.strip(),
        place=place.strip(),
        risk=risk,
        visit=visit,
        created_at=case.created_at,
    )
    rows = [p if isinstance(p, DisputeParty) else DisputeParty(**p) for p in parties]
    for row in rows:
        row.dispute = dispute
    for row in rows:  # the name outlives the resident's record
        if row.resident is not None and not row.name:
            row.name = row.resident.name
    DisputeParty.objects.bulk_create(rows)
    if risk == RiskLevel.HIGH:
        notify_high_risk(dispute)
    return dispute


def committee_user_ids(community_id: int) -> set[int]:
    return set(
        GridTeamMember.objects.filter(
            role=TeamRole.COMMITTEE, grid__community_id=community_id
        ).values_list("user_id", flat=True)
    )


def notify_high_risk(dispute: Dispute) -> int:
    """A high-risk dispute tells every committee member of the community at once, in the
    app (and by e-mail to those who gave an address); the dedup key makes a repeat (a
    retried request) send nothing twice. Returns how many people were told."""
    case = dispute.case
    sent = 0
    for user_id in sorted(committee_user_ids(case.community_id)):
        created = notify.to_user(
            user_id,
            template=HIGH_RISK_TEMPLATE,
            payload={
                "reference": dispute.reference,
                "type": str(dispute.get_dispute_type_display()),
                "grid": case.grid.name if case.grid_id else "",
            },
            dedup_key=f"disputes:high_risk:{dispute.pk}:user:{user_id}",
            community=case.community_id,
        )
        sent += created > 0  # people told (in the app, and by e-mail if they gave one)
    return sent


@transaction.atomic
def set_risk(dispute: Dispute, risk: str, actor) -> Dispute:
    _check(actor, dispute)
    _locked(dispute)
    risk = RiskLevel(risk)
    if dispute.risk == risk:
        return dispute
    previous = dispute.get_risk_display()
    dispute.risk = risk
    dispute.save(update_fields=["risk"])
    CaseEvent.objects.create(
        case=dispute.case,
        kind=CaseEvent.Kind.COMMENT,
        actor=actor,
        text=_("Risk: %(from)s → %(to)s") % {"from": previous, "to": risk.label},
    )
    if risk == RiskLevel.HIGH:
        notify_high_risk(dispute)
    return dispute


@transaction.atomic
def add_party(
    dispute: Dispute, actor, *, resident=None, name="", phone="", note=""
) -> DisputeParty:
    _check(actor, dispute)
    name = name.strip() or (resident.name if resident is not None else "")
    party = DisputeParty(dispute=dispute, resident=resident, name=name, note=note)
    party.phone = "".join(ch for ch in (phone or "") if ch.isdigit()) or None
    party.full_clean(exclude=["dispute"])
    party.save()
    return party


# --- working on it -----------------------------------------------------------------------


def _start_work(case: Case, actor) -> None:
    """A mediation session means work has started: accept the case if nobody has, and
    mark it in progress."""
    if case.status == Status.SUBMITTED:
        services.transition(case, Status.ACCEPTED, actor)
    if case.status in (Status.ACCEPTED, Status.ESCALATED):
        services.transition(case, Status.IN_PROGRESS, actor)


@transaction.atomic
def record_session(
    dispute: Dispute,
    actor,
    *,
    held_at=None,
    mediator=None,
    attendees: str = "",
    agreement: str = "",
    document=None,
) -> MediationSession:
    """One mediation session; several per dispute. ``document`` (the signed agreement)
    is checked like every upload (size, kind, first bytes)."""
    _check(actor, dispute)
    _locked(dispute)
    if not dispute.is_open:
        raise WorkflowError(_("This dispute has ended; reopen it by a follow-up first."))
    if document:
        from anju.services import validate_upload

        validate_upload(document)
    session = MediationSession.objects.create(
        dispute=dispute,
        held_at=held_at or timezone.now(),
        mediator=mediator or actor,
        attendees=attendees.strip(),
        agreement=agreement.strip(),
        agreement_document=document or "",
    )
    _start_work(dispute.case, actor)
    CaseEvent.objects.create(
        case=dispute.case,
        kind=CaseEvent.Kind.COMMENT,
        actor=actor,
        text=_("Mediation session held on %(date)s.")
        % {"date": timezone.localtime(session.held_at).strftime("%Y-%m-%d")},
    )
    return session


@transaction.atomic
def escalate(dispute: Dispute, actor, *, to_level: str, reason: str) -> Dispute:
    """One step up, with a reason: grid → community through the engine (the case moves
    to the community's holder), community → township or judicial referral (转交), which
    hands the dispute over: the case is resolved for the community and the dispute's
    outcome is "referred"."""
    _check(actor, dispute)
    _locked(dispute)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Say why the dispute is escalated."), code="reason_required")
    if not dispute.is_open:
        raise WorkflowError(_("This dispute has ended."), code="transition")
    level = dispute.level
    to_level = DisputeLevel(to_level)
    if to_level not in NEXT_LEVELS[level]:
        raise WorkflowError(
            _("A dispute dealt with by the %(from)s cannot go to the %(to)s.")
            % {"from": level.label, "to": to_level.label},
            code="transition",
        )
    if to_level not in REFERRAL_LEVELS:
        services.escalate(dispute.case, actor=actor, reason=reason)
        return dispute
    services.comment(
        dispute.case, actor, _("Handed over: %(to)s.") % {"to": to_level.label}, public=True
    )
    _end(dispute, actor, Ending(to_level.value), note=reason)
    DisputeEscalation.objects.create(
        dispute=dispute,
        from_level=level,
        to_level=to_level,
        reason=reason,
        escalated_by=actor,
        escalated_at=dispute.ended_at,
    )
    return dispute


def _resolve_case(case: Case, actor, note: str = "") -> None:
    if case.status == Status.SUBMITTED:
        services.transition(case, Status.ACCEPTED, actor)
    services.transition(case, Status.RESOLVED, actor, note=note)


def _end(dispute: Dispute, actor, ending: Ending, note: str) -> None:
    """Resolve the case and mark this resolution as the plugin's ``ending``."""
    _resolve_case(dispute.case, actor, note=note)
    dispute.ending = ending
    dispute.ended_at = dispute.case.resolved_at
    dispute.save(update_fields=["ending", "ended_at"])


@transaction.atomic
def resolve(dispute: Dispute, actor, *, note: str = "") -> Dispute:
    """Settled: in the grid or in the community, by the level the case is at. A
    follow-up is due ``FOLLOW_UP_DAYS`` later to confirm it held."""
    _check(actor, dispute)
    _locked(dispute)
    if not dispute.is_open:
        raise WorkflowError(_("This dispute has ended."), code="transition")
    _resolve_case(dispute.case, actor, note=note)
    return dispute


@transaction.atomic
def withdraw(dispute: Dispute, actor, *, reason: str) -> Dispute:
    """The parties dropped it (撤回). The case is resolved with the reason; no
    follow-up is due."""
    _check(actor, dispute)
    _locked(dispute)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Say why the dispute is withdrawn."), code="reason_required")
    if not dispute.is_open:
        raise WorkflowError(_("This dispute has ended."), code="transition")
    services.comment(dispute.case, actor, _("Withdrawn."), public=True)
    _end(dispute, actor, Ending.WITHDRAWN, note=reason)
    return dispute


@transaction.atomic
def follow_up(
    dispute: Dispute, actor, *, settled: bool, satisfaction: int | None = None, note: str = ""
) -> Dispute:
    """回访: did the settlement hold? The engine's follow-up: settled closes the case; a
    relapse sends it back to work, and so the dispute is open again at the case's level
    (a handed-over dispute comes back to the community) with one more relapse."""
    _check(actor, dispute)
    _locked(dispute)
    services.follow_up(dispute.case, actor, settled=settled, satisfaction=satisfaction, note=note)
    return dispute


def due_follow_ups(on: datetime.date | None = None):
    """Disputes settled in the grid or the community whose follow-up is due on or before
    ``on`` (today) and not yet recorded."""
    on = on or timezone.localdate()
    return Dispute.objects.follow_up_pending().filter(case__resolved_at__lt=follow_up_cutoff(on))


# --- the escalation history --------------------------------------------------------------


@dataclass(frozen=True)
class EscalationStep:
    """One step up, as the dispute's page and the API show it."""

    from_level: str
    to_level: str
    reason: str
    escalated_by: object
    escalated_at: datetime.datetime

    def get_from_level_display(self) -> str:
        return DisputeLevel(self.from_level).label

    def get_to_level_display(self) -> str:
        return DisputeLevel(self.to_level).label


def escalation_steps(dispute: Dispute) -> list[EscalationStep]:
    """Every step up, oldest first: grid → community from the case's timeline (by staff
    or by the SLA sweep), and the hand-overs beyond the community the plugin recorded.
    Two queries."""
    steps = [
        EscalationStep(
            DisputeLevel.GRID,
            DisputeLevel.COMMUNITY,
            event.text,
            event.actor,
            event.created_at,
        )
        for event in CaseEvent.objects.filter(
            case_id=dispute.case_id, kind=CaseEvent.Kind.ESCALATED
        ).select_related("actor")
    ]
    steps += [
        EscalationStep(row.from_level, row.to_level, row.reason, row.escalated_by, row.escalated_at)
        for row in dispute.escalations.select_related("escalated_by")
    ]
    return sorted(steps, key=lambda step: step.escalated_at)
