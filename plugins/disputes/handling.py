"""Handling a dispute: who may see it, and every change to one.

Each change goes through the services engine for the case (``anju.services.workflow``:
accepting, escalating grid → community, resolving, the follow-up) and records the
dispute's own side here (escalations beyond the community, outcome, parties, mediation),
in one transaction. Errors are the engine's ``WorkflowError``, whose text is translated
and shown to staff as is.
"""

from __future__ import annotations

import contextvars
import datetime
import functools

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anju import notify, services
from anju.community import GridTeamMember, TeamRole
from anju.services import Case, CaseEvent, Level, Status, WorkflowError, visible_cases

from .models import (
    NEXT_LEVELS,
    REFERRAL_LEVELS,
    Dispute,
    DisputeEscalation,
    DisputeLevel,
    DisputeParty,
    MediationSession,
    Outcome,
    RiskLevel,
)

VIEW = "disputes.view_dispute"
CHANGE = "disputes.change_dispute"
HIGH_RISK_TEMPLATE = "disputes.high_risk"
FOLLOW_UP_TEMPLATE = "disputes.follow_up_due"


# Changes this module makes through the engine's workflow also reach
# ``on_case_changed`` (the engine's signal); it ignores them while this is set.
_OWN_CHANGE = contextvars.ContextVar("disputes_own_change", default=False)


def _own_change(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        token = _OWN_CHANGE.set(True)
        try:
            return function(*args, **kwargs)
        finally:
            _OWN_CHANGE.reset(token)

    return wrapper


def follow_up_days() -> int:
    return int(apps.get_app_config("disputes").settings["FOLLOW_UP_DAYS"])


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
    dispute.case = fresh.case
    return dispute


def sync_level(dispute: Dispute) -> None:
    """Catch up with an escalation the engine made on its own (the SLA sweep moves an
    overdue case grid → community): the dispute then is at community level too."""
    if dispute.level == DisputeLevel.GRID and dispute.case.level == Level.COMMUNITY:
        event = (
            CaseEvent.objects.filter(case=dispute.case, kind=CaseEvent.Kind.ESCALATED)
            .order_by("-created_at", "-pk")
            .first()
        )
        DisputeEscalation.objects.create(
            dispute=dispute,
            from_level=DisputeLevel.GRID,
            to_level=DisputeLevel.COMMUNITY,
            reason=(event.text if event and event.text else _("Overdue in the grid.")),
            escalated_by=event.actor if event else None,
            escalated_at=event.created_at if event else timezone.now(),
        )
        dispute.level = DisputeLevel.COMMUNITY
        dispute.save(update_fields=["level"])


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
    app; the dedup key makes a repeat (a retried request) send nothing twice."""
    case = dispute.case
    sent = 0
    for user_id in sorted(committee_user_ids(case.community_id)):
        _message, created = notify.enqueue(
            channel="in_app",
            user=user_id,
            template=HIGH_RISK_TEMPLATE,
            payload={
                "reference": dispute.reference,
                "type": str(dispute.get_dispute_type_display()),
                "grid": case.grid.name if case.grid_id else "",
            },
            dedup_key=f"disputes:high_risk:{dispute.pk}:user:{user_id}",
        )
        sent += created
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


@_own_change
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


@_own_change
@transaction.atomic
def escalate(dispute: Dispute, actor, *, to_level: str, reason: str) -> Dispute:
    """One step up, with a reason: grid → community through the engine (the case moves
    to the community's holder), community → township or judicial referral (转交), which
    hands the dispute over: its outcome is "referred" and the case is resolved for the
    community."""
    _check(actor, dispute)
    _locked(dispute)
    sync_level(dispute)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Say why the dispute is escalated."), code="reason_required")
    if not dispute.is_open:
        raise WorkflowError(_("This dispute has ended."), code="transition")
    to_level = DisputeLevel(to_level)
    if to_level not in NEXT_LEVELS[DisputeLevel(dispute.level)]:
        raise WorkflowError(
            _("A dispute dealt with by the %(from)s cannot go to the %(to)s.")
            % {"from": DisputeLevel(dispute.level).label, "to": to_level.label},
            code="transition",
        )
    case = dispute.case
    if to_level == DisputeLevel.COMMUNITY:
        services.escalate(case, actor=actor, reason=reason)
    else:
        label = to_level.label
        services.comment(case, actor, _("Handed over: %(to)s.") % {"to": label}, public=True)
        _resolve_case(case, actor, note=reason)
        dispute.outcome = Outcome.REFERRED
        dispute.resolved_at = timezone.now()
    DisputeEscalation.objects.create(
        dispute=dispute,
        from_level=dispute.level,
        to_level=to_level,
        reason=reason,
        escalated_by=actor,
    )
    dispute.level = to_level
    dispute.save(update_fields=["level", "outcome", "resolved_at"])
    return dispute


def _resolve_case(case: Case, actor, note: str = "") -> None:
    if case.status == Status.RESOLVED:
        return
    if case.status == Status.SUBMITTED:
        services.transition(case, Status.ACCEPTED, actor)
    services.transition(case, Status.RESOLVED, actor, note=note)


@_own_change
@transaction.atomic
def resolve(dispute: Dispute, actor, *, note: str = "") -> Dispute:
    """Settled: in the grid or in the community, by the level it is at. A follow-up is
    due ``FOLLOW_UP_DAYS`` later to confirm it held."""
    _check(actor, dispute)
    _locked(dispute)
    sync_level(dispute)
    if not dispute.is_open:
        raise WorkflowError(_("This dispute has ended."), code="transition")
    if dispute.level in REFERRAL_LEVELS:  # not reachable: referral ends it
        raise WorkflowError(_("This dispute was handed over."), code="transition")
    _resolve_case(dispute.case, actor, note=note)
    now = timezone.now()
    dispute.outcome = (
        Outcome.RESOLVED_IN_GRID
        if dispute.level == DisputeLevel.GRID
        else Outcome.RESOLVED_IN_COMMUNITY
    )
    dispute.resolved_at = now
    dispute.follow_up_due = timezone.localdate(now) + datetime.timedelta(days=follow_up_days())
    dispute.followed_up_at = None
    dispute.save(update_fields=["outcome", "resolved_at", "follow_up_due", "followed_up_at"])
    return dispute


@_own_change
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
    _resolve_case(dispute.case, actor, note=reason)
    dispute.outcome = Outcome.WITHDRAWN
    dispute.resolved_at = timezone.now()
    dispute.follow_up_due = None
    dispute.save(update_fields=["outcome", "resolved_at", "follow_up_due"])
    return dispute


@_own_change
@transaction.atomic
def follow_up(
    dispute: Dispute, actor, *, settled: bool, satisfaction: int | None = None, note: str = ""
) -> Dispute:
    """回访: did the settlement hold? Settled closes the case (the engine's follow-up).
    A relapse reopens both: the case goes back to work, the dispute is open again at the
    level it was at, and counts one more relapse."""
    _check(actor, dispute)
    _locked(dispute)
    services.follow_up(dispute.case, actor, settled=settled, satisfaction=satisfaction, note=note)
    now = timezone.now()
    if settled:
        dispute.followed_up_at = now
        dispute.follow_up_due = None
    else:
        dispute.outcome = ""
        dispute.resolved_at = None
        dispute.follow_up_due = None
        dispute.followed_up_at = now
        dispute.relapses += 1
        if dispute.level in REFERRAL_LEVELS:  # back in the community's hands
            dispute.level = DisputeLevel.COMMUNITY
    dispute.save(
        update_fields=[
            "outcome",
            "resolved_at",
            "follow_up_due",
            "followed_up_at",
            "relapses",
            "level",
        ]
    )
    return dispute


def due_follow_ups(on: datetime.date | None = None):
    """Resolved disputes whose follow-up is due on or before ``on`` (today)."""
    on = on or timezone.localdate()
    return Dispute.objects.filter(follow_up_due__lte=on, case__status=Status.RESOLVED).filter(
        ~Q(outcome="")
    )


def on_case_changed(sender, cases, kind, actor=None, **kwargs):
    """Keep a dispute in step when its case is changed through the engine itself — the
    SLA sweep escalating it, or staff working it from the cases inbox: an escalation
    moves the dispute to the community, a resolution records the outcome by level and
    schedules the follow-up, a failed follow-up reopens the dispute."""
    if _OWN_CHANGE.get():
        return
    dispute_services = set(
        apps.get_model("services", "Service")
        .objects.filter(plugin="disputes")
        .values_list("pk", flat=True)
    )
    ids = [case.pk for case in cases if case.service_id in dispute_services]
    if not ids:
        return
    for dispute in Dispute.objects.filter(case_id__in=ids).select_related("case"):
        case = dispute.case
        sync_level(dispute)
        if kind == "status" and case.status == Status.RESOLVED and not dispute.outcome:
            if dispute.level in REFERRAL_LEVELS:
                continue
            now = timezone.now()
            dispute.outcome = (
                Outcome.RESOLVED_IN_GRID
                if dispute.level == DisputeLevel.GRID
                else Outcome.RESOLVED_IN_COMMUNITY
            )
            dispute.resolved_at = now
            dispute.follow_up_due = timezone.localdate(now) + datetime.timedelta(
                days=follow_up_days()
            )
            dispute.save(update_fields=["outcome", "resolved_at", "follow_up_due"])
        elif case.is_open and dispute.outcome:  # a failed follow-up sent it back to work
            dispute.outcome = ""
            dispute.resolved_at = None
            dispute.follow_up_due = None
            dispute.followed_up_at = timezone.now()
            dispute.relapses += 1
            dispute.save(
                update_fields=[
                    "outcome",
                    "resolved_at",
                    "follow_up_due",
                    "followed_up_at",
                    "relapses",
                ]
            )
        elif kind == "follow_up" and case.status == Status.CLOSED:
            dispute.followed_up_at = timezone.now()
            dispute.follow_up_due = None
            dispute.save(update_fields=["followed_up_at", "follow_up_due"])
