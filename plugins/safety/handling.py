"""Hazards from finding to removal, gas status, and what the plugin does when the
engine or a campaign tells it something.

A hazard is a case of the services engine (``services.HAZARD_FORM``): filed when a
door-to-door check finds a failed item (``on_target_answered``) or when a resident
reports one. Its deadline is its severity's (``deadline_hours``), given to the case, so
the engine's SLA sweep escalates an overdue hazard grid → community like any case; when
it runs over at community level too, it is handed to the partner organisation for its
kind (the gas company, the fire brigade): at once by ``on_case_changed`` when the
engine says "overdue" (a case escalated by hand, then breached), and by the beat task
``safety.escalate_overdue_hazards`` for those the sweep escalated itself (the engine
marks those breached when it escalates them, so it sends no second "overdue").
Whether it is open, overdue or closed is the case's status, never stored here.

Errors are the engine's ``WorkflowError``: translated, shown to staff as they are.
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anju import notify
from anju.community import GridTeamMember, TeamRole
from anju.permissions import PartnerOrganisation
from anju.services import (
    Case,
    Requester,
    Status,
    WorkflowError,
    comment,
    hand_over_case,
    may_work_on,
    service_for_code_form,
    submit,
    transition,
    visible_cases,
)

from .models import (
    ITEM_RULES,
    GasState,
    GasStatus,
    Hazard,
    Item,
    Responsible,
    Severity,
)

VIEW = "safety.view_hazard"
HIGH_TEMPLATE = "safety.high_hazard"


def config():
    return apps.get_app_config("safety")


def deadline_hours(severity: str) -> int:
    """Hours to remove a hazard of ``severity`` (setting ``DEADLINE_DAYS``)."""
    return int(config().settings["DEADLINE_DAYS"][severity]) * 24


# --- who sees what -----------------------------------------------------------------------


def visible_hazards(user, queryset=None):
    """Hazards whose case the engine lets ``user`` see — their grids' team, the
    committee, and a partner organisation's staff for the cases handed to it — for
    roles granted ``safety.view_hazard``."""
    queryset = Hazard.objects.all() if queryset is None else queryset
    if user is None or not user.is_authenticated or not user.has_perm(VIEW):
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(case__in=visible_cases(user, Case.objects.all()).values("pk"))


# --- filing ------------------------------------------------------------------------------


def _requester(household) -> Requester:
    head = household.head if household.head_id else household.residents.first()
    if head is None:
        return Requester(name=household.address, phone="")
    return Requester(name=head.name, phone=head.phone or "")


def file_hazard(
    household,
    *,
    item: str,
    actor,
    severity: str | None = None,
    responsible: str | None = None,
    description: str = "",
    answer=None,
) -> Hazard:
    """A hazard found at ``household`` (by ``actor``, a grid worker): a case filed on
    the household's behalf with the severity's deadline, accepted by whoever found it.
    A high-severity hazard tells the committee at once."""
    from .forms import HazardReportForm
    from .services import HAZARD_FORM

    kind, default_severity, default_responsible = ITEM_RULES[Item(item)]
    severity = Severity(severity or default_severity)
    form = HazardReportForm(
        data={"item": item, "description": description or str(Item(item).label)}
    )
    if not form.is_valid():  # only our own choices reach here
        raise WorkflowError(_("This hazard cannot be recorded."), code="invalid")
    holder: dict = {}

    def on_submit(case, _form):
        holder["hazard"] = Hazard.objects.create(
            case=case,
            answer=answer,
            item=item,
            kind=kind,
            severity=severity,
            responsible=Responsible(responsible or default_responsible),
            description=description,
        )

    with transaction.atomic():
        case, _created = submit(
            service_for_code_form("safety", HAZARD_FORM),
            form,
            requester=_requester(household),
            household=household,
            filed_by=actor,
            on_submit=on_submit,
            resolve_hours=deadline_hours(severity),
        )
        hazard = holder.get("hazard") or case.safety_hazard
        if actor is not None and may_work_on(actor, case) and case.status == Status.SUBMITTED:
            transition(case, Status.ACCEPTED, actor)
        if severity == Severity.HIGH:
            notify_high(hazard)
    return hazard


def save_report(case, form) -> None:
    """A resident's report (service form "report"): medium severity until staff look."""
    item = form.cleaned_data["item"]
    kind, _severity, responsible = ITEM_RULES[Item(item)]
    Hazard.objects.create(
        case=case,
        item=item,
        kind=kind,
        severity=Severity.MEDIUM,
        responsible=responsible,
        description=form.cleaned_data["description"],
    )


def committee_user_ids(community_id: int) -> set[int]:
    return set(
        GridTeamMember.objects.filter(
            role=TeamRole.COMMITTEE, grid__community_id=community_id
        ).values_list("user_id", flat=True)
    )


def notify_high(hazard: Hazard) -> int:
    """Every committee member of the community hears of a high-severity hazard at once,
    in the app; the dedup key keeps a repeat from sending twice."""
    case = hazard.case
    sent = 0
    for user_id in sorted(committee_user_ids(case.community_id)):
        _message, created = notify.enqueue(
            channel="in_app",
            user=user_id,
            template=HIGH_TEMPLATE,
            payload={
                "reference": case.reference,
                "item": str(hazard.get_item_display()),
                "address": case.household.address if case.household_id else "",
            },
            dedup_key=f"safety:high:{hazard.pk}:user:{user_id}",
            community=case.community_id,
        )
        sent += created
    return sent


# --- changing one ------------------------------------------------------------------------


def _check(user, hazard: Hazard) -> None:
    if not (user.has_perm("safety.change_hazard") and may_work_on(user, hazard.case)):
        raise WorkflowError(_("You may not change this hazard."), code="forbidden")


def _refuse_closed(hazard: Hazard) -> None:
    if hazard.is_closed:
        when = hazard.case.resolved_at or hazard.case.updated_at
        raise WorkflowError(
            _("This hazard was closed on %(date)s: there is nothing to re-check or change.")
            % {"date": timezone.localtime(when).date().isoformat()},
            code="closed",
        )


@transaction.atomic
def update(hazard: Hazard, actor, *, severity, responsible, description="", photo=None) -> Hazard:
    """Staff set severity, who must fix it, what was found and a photo. Raising the
    severity to high tells the committee; the deadline stays the case's."""
    _check(actor, hazard)
    _refuse_closed(hazard)
    was_high = hazard.severity == Severity.HIGH
    hazard.severity = Severity(severity)
    hazard.responsible = Responsible(responsible)
    if description:
        hazard.description = description
    if photo:
        hazard.photo = photo
    hazard.save()
    if hazard.severity == Severity.HIGH and not was_high:
        notify_high(hazard)
    return hazard


@transaction.atomic
def rectify(hazard: Hazard, actor, note: str) -> Hazard:
    """Whoever had to fix it says it is done (整改): it now waits for a re-check."""
    _check(actor, hazard)
    _refuse_closed(hazard)
    hazard.rectified_at = timezone.now()
    hazard.rectified_note = note.strip()
    hazard.save(update_fields=["rectified_at", "rectified_note"])
    if hazard.case.status in (Status.SUBMITTED,):
        transition(hazard.case, Status.ACCEPTED, actor)
    comment(hazard.case, actor, _("Reported fixed: %(note)s") % {"note": note.strip()}, public=True)
    return hazard


@transaction.atomic
def recheck(hazard: Hazard, actor, *, passed: bool, note: str = "") -> Hazard:
    """The grid worker looks again (复查). Removed: the case is resolved and the hazard
    closed. Still there: it stays open, and waits for the next rectification. A closed
    hazard is refused with the reason."""
    _check(actor, hazard)
    _refuse_closed(hazard)
    now = timezone.now()
    hazard.rechecked_at = now
    hazard.rechecked_by = actor
    hazard.recheck_passed = passed
    hazard.save(update_fields=["rechecked_at", "rechecked_by", "recheck_passed"])
    case = hazard.case
    if passed:
        if case.status == Status.SUBMITTED:
            transition(case, Status.ACCEPTED, actor)
        transition(case, Status.RESOLVED, actor, note=note)
    else:
        comment(
            case,
            actor,
            _("Re-checked: the hazard is still there. %(note)s") % {"note": note.strip()},
            public=True,
        )
    return hazard


def partner_for(hazard: Hazard):
    """The partner organisation an overdue hazard goes to (setting ``PARTNERS``: a
    partner code per kind; the gas company for whatever it must fix itself)."""
    codes = config().settings["PARTNERS"]
    code = (
        codes.get("gas_company")
        if hazard.responsible == Responsible.GAS_COMPANY
        else codes.get(hazard.kind)
    )
    if not code:
        return None
    return PartnerOrganisation.objects.filter(
        community_id=hazard.case.community_id, code=code
    ).first()


def escalate_to_partner(hazards, actor=None) -> int:
    """Hand each of ``hazards`` (overdue at community level) to its partner
    organisation; a hazard already handed over is left alone. Returns how many."""
    done = 0
    for hazard in hazards:
        organisation = partner_for(hazard)
        if organisation is None or hazard.is_closed:
            continue
        done += hand_over_case(
            hazard.case,
            organisation,
            actor=actor,
            note=_("Overdue at community level."),
        )
    return done


# --- gas status --------------------------------------------------------------------------


def set_gas_state(household, state: str, cylinders: int = 0) -> GasStatus:
    status, _created = GasStatus.objects.get_or_create(household=household)
    status.state = GasState(state)
    status.lpg_cylinders = cylinders if state == GasState.LPG else 0
    status.full_clean()
    status.save()
    return status


def save_connection(case, form) -> None:
    """A gas-connection application (service form "connect"): the household's status
    becomes "applied" and the case is handed to the gas company, if the community has
    one (setting ``PARTNERS["gas_company"]``)."""
    from .models import ConnectionApplication

    ConnectionApplication.objects.create(
        case=case, lpg_cylinders=form.cleaned_data["lpg_cylinders"]
    )
    if case.household is not None:
        status, _created = GasStatus.objects.get_or_create(household=case.household)
        if status.state != GasState.CONNECTED:
            GasStatus.objects.filter(pk=status.pk).update(state=GasState.APPLIED, lpg_cylinders=0)
    code = config().settings["PARTNERS"].get("gas_company")
    organisation = PartnerOrganisation.objects.filter(
        community_id=case.community_id, code=code
    ).first()
    if organisation is not None:
        hand_over_case(case, organisation, note=_("Gas-connection application."))


# --- receivers ---------------------------------------------------------------------------


def on_case_changed(sender, *, cases, kind, actor, community, **kwargs):
    """The engine's news about our cases: a hazard overdue at community level goes to
    the partner organisation; a connection application resolved means connected."""
    hazard_service, connect_service = (
        service_for_code_form("safety", form).pk for form in _forms("report", "connect")
    )
    ids = [c.pk for c in cases]
    if kind == "overdue":
        hazards = Hazard.objects.filter(
            case_id__in=ids, case__service_id=hazard_service
        ).select_related("case")
        escalate_to_partner(hazards)
    elif kind in ("status", "follow_up"):
        connected = Case.objects.filter(
            pk__in=ids, service_id=connect_service, status__in=(Status.RESOLVED, Status.CLOSED)
        ).exclude(household=None)
        for case in connected.select_related("household"):
            set_gas_state(case.household, GasState.CONNECTED)


def _forms(*slugs):
    from .services import SERVICE_FORMS_BY_SLUG

    return [SERVICE_FORMS_BY_SLUG[s] for s in slugs]


def checklist_service():
    from .services import CHECKLIST

    return service_for_code_form("safety", CHECKLIST)


def on_target_answered(sender, *, answers, actor, community, **kwargs):
    """A door-to-door check answered with our checklist: each failed item becomes a
    hazard (once per answer and item, so a repeated signal adds nothing)."""
    checklist = checklist_service()
    for answer in answers:
        target = answer.target
        if target.round.campaign.checklist_id != checklist.pk or target.household_id is None:
            continue
        data = answer.data or {}
        remarks = str(data.get("remarks") or "")
        done = set(Hazard.objects.filter(answer=answer).values_list("item", flat=True))
        for item in Item.values:
            if data.get(item) == "fail" and item not in done:
                file_hazard(
                    target.household,
                    item=item,
                    actor=answer.answered_by or actor,
                    description=remarks,
                    answer=answer,
                )


# --- seasons -----------------------------------------------------------------------------


def season_bounds(day: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The season (季度检查) containing ``day``: spring March–May, summer June–August,
    autumn September–November, winter December–February. Returns (first, last)."""
    day = day or timezone.localdate()
    starts = {3: 3, 4: 3, 5: 3, 6: 6, 7: 6, 8: 6, 9: 9, 10: 9, 11: 9, 12: 12, 1: 12, 2: 12}
    month = starts[day.month]
    year = day.year - 1 if day.month in (1, 2) else day.year
    first = datetime.date(year, month, 1)
    end_month = month + 3
    end_year = year + (end_month > 12)
    end_month = end_month - 12 if end_month > 12 else end_month
    return first, datetime.date(end_year, end_month, 1) - datetime.timedelta(days=1)


def start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())
