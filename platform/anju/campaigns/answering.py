"""Answering a target: the checklist, the outcome, and what it leads to.

``record_answer`` is the one way an answer is made — from the admin page a grid worker
uses on the phone, or the API. In one transaction it saves the answer under the
checklist version it was given with, updates the target's outcome, records a visit in
the 四问 log (unless told not to) and, if asked, opens a case of the services engine,
linked both ways (the answer names the case; the case's timeline names the campaign).
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anju.community.models import Visit
from anju.services.fieldtypes import stored_answers
from anju.services.models import CaseEvent, record_text
from anju.services.submission import Requester, submit

from .models import Outcome, Target, TargetAnswer
from .visibility import visible_targets

FOLLOW_UP_DAYS = 7


class AnswerError(ValueError):
    """An answer that is refused; ``str()`` is the translated reason."""

    def __init__(self, message, code: str = "invalid"):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code


def may_answer(user, target: Target) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.has_perm("campaigns.add_targetanswer")
        and visible_targets(user).filter(pk=target.pk).exists()
    )


def refusal(target: Target) -> str | None:
    """Why ``target`` takes no answer now, or None."""
    round_ = target.round
    if not round_.is_open:
        when = round_.closed_at or round_.due_on
        return _("This round was closed on %(date)s: it takes no more answers.") % {
            "date": timezone.localtime(when).date() if hasattr(when, "tzinfo") else when
        }
    if not target.active:
        return _("This household is no longer in the round's list.")
    return None


def _requester(target: Target) -> Requester:
    """Who the case is for: the target's resident, else the head of the household. With
    no phone on record for them, the number of someone else in the household, head
    first, so staff can call back and the resident can follow the case."""
    household = target.household
    resident = target.resident or (household.head if household else None)
    name = resident.name if resident else target.resident_name or target.address
    phone = (resident.phone or "") if resident else ""
    if not phone and household is not None:
        housemates = household.residents.exclude(pk=getattr(resident, "pk", None))
        for other in housemates.order_by(
            models.Case(models.When(relation="head", then=0), default=1), "pk"
        ):
            if other.phone:  # encrypted: filtered here, not in SQL
                phone = other.phone
                break
    return Requester(name=name, phone=phone)


def record_answer(
    target: Target,
    user,
    *,
    outcome: str,
    data: dict | None = None,
    version=None,
    note: str = "",
    record_visit: bool = True,
    case_form=None,
) -> TargetAnswer:
    """Record ``user``'s answer to ``target``. ``data`` is the checklist form's cleaned
    data under ``version`` (the checklist's current version if not given);
    ``case_form``, a valid form of the campaign's case service, opens a case."""
    if not may_answer(user, target):
        raise AnswerError(_("You may not answer for this household."), code="forbidden")
    if outcome not in Outcome.values or outcome == Outcome.PENDING:
        raise AnswerError(_("Choose an outcome."), code="outcome")
    with transaction.atomic():
        target = (
            Target.objects.select_for_update(of=("self",))
            .select_related("round__campaign__checklist", "round__campaign__case_service")
            .get(pk=target.pk)
        )
        reason = refusal(target)
        if reason:
            raise AnswerError(reason, code="closed")
        campaign = target.round.campaign
        if version is None and campaign.checklist_id:
            version = campaign.checklist.current_version or campaign.checklist.snapshot()
        now = timezone.now()
        answer = TargetAnswer(
            target=target,
            version=version,
            data=stored_answers(data or {}),
            outcome=outcome,
            note=(note or "").strip(),
            answered_by=user,
            answered_at=now,
        )
        if record_visit and target.household_id:
            answer.visit = Visit.objects.create(
                household_id=target.household_id,
                visitor=user,
                basic_situation=f"{campaign.title}：{Outcome(outcome).label}",
                difficulties=answer.note,
                follow_up_needed=outcome == Outcome.FOLLOW_UP,
                follow_up_due=(
                    timezone.localdate() + timezone.timedelta(days=FOLLOW_UP_DAYS)
                    if outcome == Outcome.FOLLOW_UP
                    else None
                ),
            )
        if case_form is not None:
            if campaign.case_service is None:
                raise AnswerError(_("This campaign opens no cases."), code="no_case_service")
            case, _created = submit(
                campaign.case_service,
                case_form,
                requester=_requester(target),
                household=target.household,
                filed_by=user,
                consent_at_visit=True,
            )
            answer.case = case
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.COMMENT,
                actor=user,
                text=record_text(
                    gettext_lazy("Opened from the campaign “%(campaign)s”, round %(round)s.")
                )
                % {"campaign": campaign.title, "round": target.round.number},
                public=False,
                created_at=now,
            )
        answer.save()
        Target.objects.filter(pk=target.pk).update(outcome=outcome, answered_at=now)
        target.outcome, target.answered_at = outcome, now
        from .signals import target_answered

        target_answered.send(
            sender=TargetAnswer, community=campaign.community_id, answers=[answer], actor=user
        )
    return answer
