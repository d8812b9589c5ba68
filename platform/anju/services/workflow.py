"""The status workflow of a case, and every other change to one.

Allowed transitions only (``TRANSITIONS``); every change, comment, assignment and
attachment is one ``CaseEvent`` in the timeline with who and when. Each function here
checks that the actor may do it (``WorkflowError`` with a translated message if not),
locks the case row for the change, and queues the notification once the change commits.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anju.community.models import GridTeamMember, TeamRole

from .models import Case, CaseAttachment, CaseEvent, HandlerRole, Level, Status
from .visibility import can_see_case

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.ACCEPTED, Status.REJECTED, Status.ESCALATED}),
    Status.ACCEPTED: frozenset(
        {Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED, Status.ESCALATED}
    ),
    Status.IN_PROGRESS: frozenset({Status.RESOLVED, Status.ESCALATED}),
    Status.ESCALATED: frozenset(
        {Status.ACCEPTED, Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED}
    ),
    # Closing is the follow-up's job (follow_up); a follow-up that finds the matter
    # unsettled sends the case back to work.
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset(),
    Status.REJECTED: frozenset(),
}

#: The verbs staff see on the buttons, by target status.
ACTION_LABELS = {
    Status.ACCEPTED: gettext_lazy("Accept"),
    Status.IN_PROGRESS: gettext_lazy("Start work"),
    Status.RESOLVED: gettext_lazy("Mark resolved"),
    Status.REJECTED: gettext_lazy("Reject"),
    Status.ESCALATED: gettext_lazy("Escalate to the community"),
}


class WorkflowError(Exception):
    """A change that is not allowed; ``str()`` is the translated reason."""

    def __init__(self, message, code: str = "invalid"):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code


def allowed_targets(case: Case) -> frozenset[str]:
    targets = TRANSITIONS[case.status]
    if case.level == Level.COMMUNITY:
        targets = targets - {Status.ESCALATED}
    return targets


def may_work_on(user, case: Case) -> bool:
    """Whether ``user`` may change ``case``: its assignee, or staff who may change cases
    and see this one."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if case.assignee_id == user.pk and user.has_perm("services.view_case"):
        return True
    return user.has_perm("services.change_case") and can_see_case(user, case)


def may_assign(user, case: Case) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (user.is_superuser or user.has_perm("services.assign_case"))
        and can_see_case(user, case)
    )


def _check_may_work(user, case):
    if not may_work_on(user, case):
        raise WorkflowError(_("You may not change this case."), code="forbidden")


def _locked(case: Case) -> Case:
    """The case re-read under a row lock, so two staff acting at once cannot both
    move it from the same status."""
    fresh = Case.objects.select_for_update().get(pk=case.pk)
    for field in ("status", "level", "assignee_id", "resolved_at", "accepted_at"):
        setattr(case, field, getattr(fresh, field))
    return fresh


def _event(case, kind, actor=None, **fields) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, **fields)


@transaction.atomic
def transition(case: Case, to: str, actor, *, note: str = "", reason: str = "") -> Case:
    """Move ``case`` to status ``to``. A rejection needs a ``reason`` (shown to the
    resident); ``note`` is a staff-only remark recorded with the change."""
    _check_may_work(actor, case)
    fresh = _locked(case)
    to = Status(to)
    if to == Status.CLOSED:
        raise WorkflowError(
            _("A case is closed by its follow-up: record whether the matter is settled."),
            code="needs_follow_up",
        )
    if to not in allowed_targets(fresh):
        raise WorkflowError(
            _("A case that is “%(from)s” cannot become “%(to)s”.")
            % {"from": Status(fresh.status).label, "to": to.label},
            code="transition",
        )
    if to == Status.REJECTED and not reason.strip():
        raise WorkflowError(_("Say why the request is rejected."), code="reason_required")
    if to == Status.ESCALATED:
        # The reason is public (the resident sees why); a note stays among staff.
        escalated = escalate(fresh, actor=actor, reason=reason, _locked_case=True)
        if note.strip():
            _event(escalated, CaseEvent.Kind.COMMENT, actor, text=note.strip(), public=False)
        _copy(escalated, case)
        return escalated
    now = timezone.now()
    previous = fresh.status
    fresh.status = to
    update = ["status", "updated_at"]
    if to == Status.ACCEPTED and fresh.accepted_at is None:
        fresh.accepted_at = now
        update.append("accepted_at")
    if to == Status.RESOLVED:
        fresh.resolved_at = now
        update.append("resolved_at")
    if to == Status.REJECTED:
        fresh.rejection_reason = reason.strip()
        update.append("rejection_reason")
    if fresh.assignee_id is None and to in (Status.ACCEPTED, Status.IN_PROGRESS):
        fresh.assignee = actor  # whoever takes it on holds it
        update.append("assignee")
    fresh.save(update_fields=update)
    _event(
        fresh,
        CaseEvent.Kind.STATUS,
        actor,
        from_status=previous,
        to_status=to,
        text=reason.strip() if to == Status.REJECTED else "",
        public=True,
    )
    if note.strip():
        _event(fresh, CaseEvent.Kind.COMMENT, actor, text=note.strip(), public=False)
    from . import notifications, signals

    notifications.status_changed(fresh)
    signals.send([fresh], "status", actor)
    _copy(fresh, case)
    return fresh


def _copy(source: Case, target: Case) -> None:
    if source is not target:
        target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})


def community_holders(grid_ids) -> dict[int, int]:
    """{grid id: user id} of who holds a case of that grid at community level: the
    committee member seated on the grid (its "3个1" team; one seat per role per grid).
    Grids without one are left out: their cases go to nobody in particular. One query,
    for one case (``escalate``) or a batch (the SLA sweep)."""
    return dict(
        GridTeamMember.objects.filter(grid_id__in=grid_ids, role=TeamRole.COMMITTEE)
        .order_by("-pk")  # were there two seats, the first would win
        .values_list("grid_id", "user_id")
    )


def community_holder(case: Case):
    """The user who holds ``case`` at community level, or None."""
    user_id = community_holders([case.grid_id]).get(case.grid_id) if case.grid_id else None
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


#: The fields ``apply_escalation`` changes (for ``save(update_fields=...)``).
ESCALATION_FIELDS = ("status", "level", "escalated_at", "assignee", "resolve_due", "updated_at")


def apply_escalation(case: Case, *, now, holder_id, resolve_hours: int) -> str:
    """Move ``case`` (in memory) grid → community: escalated, held by ``holder_id``, due
    ``resolve_hours`` from ``now``. Returns the status it had. The caller saves it — one
    case (``escalate``) or a batch in a few UPDATEs (``sla._escalate_batch``) — and
    records the timeline entry (``escalation_event``)."""
    previous = case.status
    case.status = Status.ESCALATED
    case.level = Level.COMMUNITY
    case.escalated_at = now
    case.assignee_id = holder_id
    case.resolve_due = now + timezone.timedelta(hours=resolve_hours)
    case.updated_at = now
    return previous


def escalation_event(case: Case, previous: str, *, text: str, actor=None, now=None) -> CaseEvent:
    """The timeline entry of an escalation (unsaved), which the resident sees."""
    return CaseEvent(
        case_id=case.pk,
        kind=CaseEvent.Kind.ESCALATED,
        actor=actor,
        from_status=previous,
        to_status=Status.ESCALATED,
        text=text,
        public=True,
        created_at=now or timezone.now(),
    )


@transaction.atomic
def escalate(case: Case, *, actor=None, reason: str = "", _locked_case: bool = False) -> Case:
    """Grid → community: a big matter, or one the grid did not deal with in time."""
    if actor is not None:
        _check_may_work(actor, case)
    fresh = case if _locked_case else _locked(case)
    if fresh.level == Level.COMMUNITY or Status.ESCALATED not in TRANSITIONS[fresh.status]:
        raise WorkflowError(_("This case cannot be escalated."), code="transition")
    now = timezone.now()
    previous = apply_escalation(
        fresh,
        now=now,
        holder_id=community_holders([fresh.grid_id]).get(fresh.grid_id),
        resolve_hours=fresh.service.resolve_hours,
    )
    fresh.save(update_fields=ESCALATION_FIELDS)
    escalation_event(fresh, previous, text=reason.strip(), actor=actor, now=now).save()
    from . import notifications, signals

    notifications.escalated([fresh])
    signals.send([fresh], "escalated", actor)
    _copy(fresh, case)
    return fresh


@transaction.atomic
def assign(case: Case, assignee, actor) -> Case:
    """Give the case to ``assignee`` (reassignment is the committee's)."""
    if not may_assign(actor, case):
        raise WorkflowError(_("You may not assign this case."), code="forbidden")
    fresh = _locked(case)
    if not fresh.is_open:
        raise WorkflowError(_("Only open cases can be assigned."), code="closed")
    if assignee is not None and not eligible_assignees(fresh).filter(pk=assignee.pk).exists():
        _refuse_other_desk(fresh, assignee)
        raise WorkflowError(
            _("%(name)s cannot handle cases of this grid.") % {"name": assignee},
            code="assignee",
        )
    fresh.assignee = assignee
    fresh.save(update_fields=["assignee", "updated_at"])
    _event(
        fresh,
        CaseEvent.Kind.ASSIGNED,
        actor,
        text=str(assignee.get_full_name() or assignee.get_username()) if assignee else "",
    )
    from . import notifications, signals

    notifications.assigned(fresh)
    signals.send([fresh], "assigned", actor)
    _copy(fresh, case)
    return fresh


def _refuse_other_desk(case: Case, assignee) -> None:
    """A township desk's staff hold only the cases routed to their own desk: say so
    plainly when someone tries to give them another township's case."""
    if assignee.township_desks.filter(pk=case.township_id).exists():
        return  # their own desk's case: refused for another reason (the role)
    desks = list(assignee.township_desks.all()[:3])
    if not desks:
        return
    raise WorkflowError(
        _(
            "%(name)s works at the service desk of %(desks)s: only cases routed to that "
            "desk can be assigned to them (this case's desk: %(case_desk)s)."
        )
        % {
            "name": assignee,
            "desks": "、".join(str(d) for d in desks),
            "case_desk": case.township or _("none"),
        },
        code="assignee_township",
    )


def eligible_assignees(case: Case):
    """Staff who may hold ``case``: its grid's team, the community's committee seats,
    service staff for services they handle, and the staff of the township desk the case
    was routed to."""
    from django.db.models import Q

    User = get_user_model()
    q = Q(grid_seats__grid__community_id=case.community_id, grid_seats__role=TeamRole.COMMITTEE)
    if case.grid_id:
        q |= Q(grid_seats__grid_id=case.grid_id) & ~Q(grid_seats__role=TeamRole.RESIDENT_REP)
    if case.service.handler_role == HandlerRole.SERVICE_STAFF:
        from anju.permissions.roles import SERVICE_STAFF

        q |= Q(groups__name=SERVICE_STAFF.name)
    if case.township_id:
        from anju.permissions.roles import TOWNSHIP_DESK

        q |= Q(township_desks=case.township_id, groups__name=TOWNSHIP_DESK.name)
    return User.objects.filter(q, is_active=True).distinct().order_by("username")


@transaction.atomic
def comment(case: Case, actor, text: str, *, public: bool = False, files=()) -> CaseEvent:
    """A reply to the resident (``public``) or a staff-only note, with attachments."""
    _check_may_work(actor, case)
    text = (text or "").strip()
    if not text and not files:
        raise WorkflowError(_("Write something or attach a file."), code="empty")
    event = _event(
        case,
        CaseEvent.Kind.ATTACHMENT if files and not text else CaseEvent.Kind.COMMENT,
        actor,
        text=text,
        public=public,
    )
    for upload in files:
        add_attachment(case, upload, actor=actor, public=public)
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    if public:
        from . import notifications

        notifications.replied(case)
    return event


def add_attachment(case: Case, upload, *, actor=None, public=False, field="") -> CaseAttachment:
    from .uploads import validate_upload

    validate_upload(upload)
    return CaseAttachment.objects.create(
        case=case,
        file=upload,
        name=(getattr(upload, "name", "") or "file")[:200],
        size=upload.size,
        content_type=(getattr(upload, "content_type", "") or "")[:100],
        field=field,
        public=public,
        uploaded_by=actor,
    )


@transaction.atomic
def follow_up(
    case: Case, actor, *, settled: bool, satisfaction: int | None = None, note: str = ""
) -> Case:
    """回访: ask the resident whether the matter is settled. Settled closes the case with
    their satisfaction (1–5); unsettled sends it back to work and tells its handler.

    From either side: staff who may work on the case record what the resident said, or
    the resident answers on the portal (a case of their own: ``visibility.own_cases``);
    the record is the same, and the resident's own answer shows in their timeline."""
    from .visibility import is_own_case

    by_resident = not may_work_on(actor, case) and is_own_case(actor, case)
    if not by_resident:
        _check_may_work(actor, case)
    fresh = _locked(case)
    if fresh.status != Status.RESOLVED:
        raise WorkflowError(_("Only a resolved case can be followed up."), code="transition")
    if satisfaction is not None and not 1 <= int(satisfaction) <= 5:
        raise WorkflowError(_("Satisfaction is from 1 to 5."), code="satisfaction")
    now = timezone.now()
    fresh.settled = settled
    fresh.satisfaction = satisfaction
    previous = fresh.status
    if settled:
        fresh.status = Status.CLOSED
        fresh.closed_at = now
    else:
        fresh.status = Status.IN_PROGRESS
        fresh.resolved_at = None
        fresh.closed_at = None
    fresh.save(
        update_fields=[
            "settled",
            "satisfaction",
            "status",
            "closed_at",
            "resolved_at",
            "updated_at",
        ]
    )
    _event(
        fresh,
        CaseEvent.Kind.FOLLOW_UP,
        actor,
        from_status=previous,
        to_status=fresh.status,
        text=note.strip(),
        public=by_resident,
    )
    from . import notifications, signals

    if not settled:
        notifications.reopened(fresh, by_resident=by_resident)
    signals.send([fresh], "follow_up", actor)
    _copy(fresh, case)
    return fresh


@transaction.atomic
def hand_over_case(case: Case, organisation, *, actor=None, note: str = "") -> bool:
    """Hand ``case`` over (转交) to a partner organisation (the gas company, the fire
    brigade, a township desk): its staff may then see and work on it, and nothing
    else of the community. Recorded in the timeline (staff only) and told to the
    organisation's staff in the app. ``actor`` None means the system (the SLA's last
    step). Returns False if it had already been handed to that organisation."""
    from anju.permissions.partners import hand_over

    if actor is not None:
        _check_may_work(actor, case)
    if organisation.community_id != case.community_id:
        raise WorkflowError(
            _("That organisation does not work with this case's community."), code="community"
        )
    _handover, created = hand_over(case, organisation, actor=actor, note=note)
    if not created:
        return False
    text = gettext_lazy("Handed over to %(organisation)s.")
    from .models import record_text

    _event(
        case,
        CaseEvent.Kind.COMMENT,
        actor,
        text=record_text(text) % {"organisation": organisation.name}
        + (f" {note.strip()}" if note and note.strip() else ""),
        public=False,
    )
    from . import notifications

    notifications.handed_over(case, organisation)
    return True
