"""Turning a submitted form into a case.

``submit`` is the one way a case is made — from the portal, the API, a plugin's form or
a grid worker filing on a resident's behalf (代办). It runs in one transaction: the case,
its first timeline entry, its attachments and the plugin's own records are saved
together or not at all, so a failure halfway leaves nothing half-made, and nothing the
resident had already saved (earlier cases) is touched.

A double submit (a double tap, a retry after a lost reply) carries the same idempotency
key and gets the case the first one made.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from anju.community.models import (
    Community,
    GridTeamMember,
    Household,
    Resident,
    ResidentLink,
    TeamRole,
)
from anju.core.normalise import normalise_number

from .fieldtypes import FieldType, schema_of_form_class, stored_answers
from .models import Case, CaseEvent, HandlerRole, Service, record_text

# Digits only, in two groups of four: easy to read out on the phone ("4821 0937").
REFERENCE_DIGITS = 8


def new_reference() -> str:
    for _attempt in range(20):
        number = f"{secrets.randbelow(10**REFERENCE_DIGITS):0{REFERENCE_DIGITS}d}"
        if number[0] == "0":
            continue
        if not Case.objects.filter(reference=number).exists():
            return number
    raise RuntimeError("Could not find a free reference number")  # 1 in 10^8 per try


def format_reference(reference: str) -> str:
    return f"{reference[:4]} {reference[4:]}" if len(reference) == 8 else reference


def normalise_reference(text: str) -> str:
    """The eight digits of a reference number as typed: "１２３４ ５６７８" → "12345678"."""
    return "".join(ch for ch in normalise_number(text) if ch in "0123456789")


@dataclass
class Requester:
    name: str
    phone: str
    user: object = None  # the resident's account, if signed in
    building: object = None  # where they live, as they told us (no household picker)
    room: str = ""


def _normal_room(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch.isalnum() and ch not in "室号")


def household_at(building, room: str):
    """The household in ``building`` whose unit and room the resident typed ("2单元301",
    "301", "2-301"), if exactly one matches."""
    typed = _normal_room(room)
    if building is None or not typed:
        return None
    matches = []
    for household in Household.objects.filter(building=building).only("pk", "unit", "room"):
        unit, number = _normal_room(household.unit), _normal_room(household.room)
        unit_digits = "".join(ch for ch in unit if ch.isdigit())
        if typed in (number, unit + number, unit_digits + number):
            matches.append(household)
    return matches[0] if len(matches) == 1 else None


def default_assignee(service: Service, grid_id: int | None):
    """By default a case goes to the grid worker (or committee member) of the
    requester's grid; service-staff services wait in the service staff's inbox, and
    township services at the township's service desk (``township_desk``)."""
    if grid_id is None or service.handler_role in (HandlerRole.SERVICE_STAFF, HandlerRole.TOWNSHIP):
        return None
    role = (
        TeamRole.COMMITTEE
        if service.handler_role == HandlerRole.COMMITTEE
        else TeamRole.GRID_WORKER
    )
    seat = GridTeamMember.objects.filter(grid_id=grid_id, role=role).only("user_id").first()
    return seat.user_id if seat else None


def township_desk(service: Service, requester: Requester, household, community) -> int | None:
    """The township whose service desk (便民服务站) a case of ``service`` goes to, for a
    service handled by the township: the township of the requester's household
    registration (户籍地, ``Resident.hukou_township``) — the resident their account is
    linked to, else the one resident of the household (or community) with their phone —
    falling back to the township of the community. None for other services, or when
    neither is known (the case then waits for the community, as before)."""
    if service.handler_role != HandlerRole.TOWNSHIP:
        return None
    registered = Resident.objects.exclude(hukou_township=None)
    found: set[int] = set()
    user = requester.user if getattr(requester.user, "pk", None) else None
    if user is not None:
        links = ResidentLink.objects.confirmed().filter(user=user, kind=ResidentLink.Kind.SELF)
        found = set(
            registered.filter(pk__in=links.values("resident_id")).values_list(
                "hukou_township_id", flat=True
            )[:2]
        )
    if not found and requester.phone:
        candidates = registered.with_phone(requester.phone)
        if household is not None:
            candidates = candidates.filter(household=household)
        elif community is not None:
            candidates = candidates.filter(community_id=community.pk)
        found = set(candidates.values_list("hukou_township_id", flat=True)[:2])
    if len(found) == 1:
        return found.pop()
    if community is None:
        return None
    return Community.objects.filter(pk=community.pk).values_list("township_id", flat=True).first()


def existing_case(service: Service, idempotency_key: str, requester: Requester) -> Case | None:
    """The case an earlier submit with the same idempotency key (same service and
    requester) made, if any: a retry answers it without checking again what the first
    submit used up (a consent code, 代办)."""
    if not idempotency_key:
        return None
    digest = _key_digest(service, idempotency_key, requester)
    return Case.objects.filter(idempotency_key=digest).first()


def _key_digest(service: Service, key: str, requester: Requester) -> str:
    """The stored idempotency key: the client's key bound to the service and requester,
    so another person reusing a key cannot reach someone else's case."""
    who = f"user:{requester.user.pk}" if requester.user else f"phone:{requester.phone}"
    return hashlib.sha256(f"{service.pk}:{who}:{key}".encode()).hexdigest()


def _household_of(form_data: dict, schema: list[dict], household):
    if household is not None:
        return household
    for spec in schema:
        if spec["type"] == FieldType.HOUSEHOLD:
            value = form_data.get(spec["name"])
            if isinstance(value, Household):
                return value
    return None


def submit(
    service: Service,
    form,
    *,
    requester: Requester,
    community: Community | None = None,
    household: Household | None = None,
    filed_by=None,
    idempotency_key: str = "",
    on_submit=None,
    resolve_hours: int | None = None,
    consent_at_visit: bool = False,
) -> tuple[Case, bool]:
    """Make the case for a valid ``form`` of ``service``. Returns ``(case, created)``;
    ``created`` is False when the idempotency key was seen before.

    ``resolve_hours`` replaces the service's for this case (a plugin whose matters have
    deadlines of their own, such as a hazard's by its severity); the SLA sweep then
    escalates it as any other case.

    ``filed_by`` is the staff member filing on the resident's behalf (代办), if any.
    ``consent_at_visit``: the resident asked ``filed_by`` for it in person, at a visit
    (a campaign's or a grid worker's round); the case keeps that as its consent, as a
    filing form keeps a code or a signed photo.
    ``on_submit(case, form)`` — a plugin's hook — runs inside the same transaction.
    """
    digest = _key_digest(service, idempotency_key, requester) if idempotency_key else None
    if digest:
        existing = existing_case(service, idempotency_key, requester)
        if existing is not None:
            return existing, False
    saved: list = []  # uploads written to storage: removed again if the case is not made
    try:
        with transaction.atomic():
            case = _create(
                service,
                form,
                requester,
                community,
                household,
                filed_by,
                digest,
                saved,
                resolve_hours=resolve_hours,
            )
            if on_submit is not None:
                on_submit(case, form)
            if consent_at_visit and case.on_behalf:
                from .consent import record_at_visit

                record_at_visit(case, filed_by)
    except BaseException as error:
        for file in saved:  # storage is not transactional: the rollback left these
            file.delete(save=False)
        if not (isinstance(error, IntegrityError) and digest):
            raise
        existing = Case.objects.filter(idempotency_key=digest).first()
        if existing is not None:  # the same submit, racing this one
            return existing, False
        raise
    return case, True


def _create(
    service,
    form,
    requester,
    community,
    household,
    filed_by,
    digest,
    saved=None,
    *,
    resolve_hours=None,
) -> Case:
    version = service.current_version
    if service.kind == Service.Kind.CODE:
        version = service.snapshot(schema=schema_of_form_class(type(form)))
    elif version is None:
        version = service.snapshot()
    schema = version.fields
    household = _household_of(form.cleaned_data, schema, household)
    if household is None and requester.building is not None:
        household = household_at(requester.building, requester.room)
    if household is not None:
        grid_id = household.building.grid_id
    elif requester.building is not None:
        grid_id = requester.building.grid_id  # the grid, even without the household
    else:
        grid_id = None
    if community is None:
        if household is not None:
            community = household.building.grid.community
        elif requester.building is not None:
            community = requester.building.grid.community
        else:
            community = service.community or Community.objects.order_by("pk").first()
    now = timezone.now()
    files = {
        name: value
        for name, value in form.cleaned_data.items()
        if value is not None and hasattr(value, "read")
    }
    phone = "".join(ch for ch in requester.phone if ch.isdigit())
    on_behalf = bool(filed_by is not None and filed_by != requester.user)
    case = Case.objects.create(
        reference=new_reference(),
        service=service,
        version=version,
        community=community,
        grid_id=grid_id,
        household=household,
        requester_user=requester.user if getattr(requester.user, "pk", None) else None,
        requester_name=requester.name.strip(),
        requester_phone=phone,
        phone_last4=phone[-4:],
        filed_by=filed_by if filed_by is not None else requester.user,
        on_behalf=on_behalf,
        data=stored_answers({k: v for k, v in form.cleaned_data.items() if k not in files}),
        assignee_id=default_assignee(service, grid_id),
        township_id=township_desk(service, requester, household, community),
        accept_due=now + timezone.timedelta(hours=service.accept_hours),
        resolve_due=now
        + timezone.timedelta(
            hours=service.resolve_hours if resolve_hours is None else resolve_hours
        ),
        idempotency_key=digest,
        created_at=now,
    )
    from .workflow import add_attachment

    for name, upload in files.items():
        attachment = add_attachment(case, upload, actor=filed_by, public=True, field=name)
        if saved is not None:
            saved.append(attachment.file)
        case.data[name] = {"file": attachment.name, "attachment": attachment.pk}
    if files:
        Case.objects.filter(pk=case.pk).update(data=case.data)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.FILED,
        actor=filed_by,
        to_status=case.status,
        text=record_text(gettext_lazy("Filed on the resident's behalf")) if on_behalf else "",
        public=True,
        created_at=now,
    )
    from . import notifications

    notifications.filed(case)
    if case.assignee_id:
        notifications.assigned(case)
    return case


def service_for_code_form(plugin: str, spec) -> Service:
    """The Service row that stands for a plugin's code-defined form (made on first
    use; staff may then change its handling and SLA in the admin). It has a form
    version from the start, so it can also serve as a campaign's checklist."""
    service = _code_service(plugin, spec)
    if service.current_version_id is None:
        service.snapshot(schema=schema_of_form_class(spec.form_class))
    return service


def _code_service(plugin: str, spec) -> Service:
    service = Service.objects.filter(
        kind=Service.Kind.CODE, plugin=plugin, slug=code_slug(plugin, spec.slug)
    ).first()
    if service is not None:
        return service
    try:
        with transaction.atomic():
            return Service.objects.create(
                kind=Service.Kind.CODE,
                plugin=plugin,
                slug=code_slug(plugin, spec.slug),
                title=str(spec.title)[:100],
                description=str(spec.description or ""),
                handler_role=spec.handler_role,
                accept_hours=spec.accept_hours,
                resolve_hours=spec.resolve_hours,
                allow_anonymous=spec.allow_anonymous,
            )
    except IntegrityError:
        return Service.objects.get(
            kind=Service.Kind.CODE, plugin=plugin, slug=code_slug(plugin, spec.slug)
        )


def code_slug(plugin: str, slug: str) -> str:
    return f"{plugin.replace('_', '-')}-{slug}"[:80]
