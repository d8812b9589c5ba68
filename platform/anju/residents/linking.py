"""Linking portal accounts to the register (community.ResidentLink).

- On sign-in, an account with no link yet is linked to the resident whose phone it is,
  when exactly one resident has that phone. Several residents with that phone, or none,
  make a pending link: the grid worker of the grid (or the committee, when the grid is
  unknown) decides in the admin (admin_views).
- Only staff make proxy links (代理人): a family member's account acting for a relative,
  usually an elderly resident without a phone.

What a linked account may see and do is in ``households_of`` and ``resident_cases``.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anju import notify
from anju.community.models import Household, Resident, ResidentLink, residents_acting_for
from anju.permissions.scope import can_see

from .notifications import LINK_CONFIRMED

Link = ResidentLink


class LinkError(Exception):
    """A link staff cannot make; ``str()`` says why."""


def link_on_sign_in(user, phone: str) -> ResidentLink | None:
    """Link a newly signed-in account, or leave it waiting for a grid worker."""
    if Link.objects.filter(user=user).exclude(state=Link.State.REJECTED).exists():
        return None
    matches = list(
        Resident.objects.with_phone(phone).select_related("household__building__grid")[:5]
    )
    if len(matches) == 1:
        resident = matches[0]
        link, _created = Link.objects.get_or_create(
            user=user,
            resident=resident,
            defaults={
                "kind": Link.Kind.SELF,
                "state": Link.State.CONFIRMED,
                "grid": resident.household.building.grid,
                "community_id": resident.community_id,
                "decided_at": timezone.now(),
            },
        )
        return link
    grids = {r.household.building.grid for r in matches}
    return Link.objects.create(
        user=user,
        kind=Link.Kind.SELF,
        state=Link.State.PENDING,
        grid=grids.pop() if len(grids) == 1 else None,
        community_id=matches[0].community_id if matches else None,
    )


def pending_links():
    return Link.objects.pending().select_related("user__resident_account", "grid", "resident")


def candidates(link: ResidentLink, staff):
    """Residents staff may link ``link``'s account to: those with its phone first, then
    anyone in the staff member's grids (found by name in the admin)."""
    from anju.permissions.scope import scope_queryset

    return scope_queryset(Resident.objects.all(), staff).select_related("household__building__grid")


@transaction.atomic
def decide(link: ResidentLink, staff, *, resident: Resident | None, kind: str, confirm: bool):
    """A grid worker confirms (to ``resident``, as ``kind``) or rejects a pending link."""
    link = Link.objects.select_for_update().get(pk=link.pk)
    if link.state != Link.State.PENDING:
        raise LinkError(_("This request has already been decided."))
    now = timezone.now()
    if not confirm:
        link.state = Link.State.REJECTED
        link.decided_at, link.decided_by = now, staff
        link.save(update_fields=["state", "decided_at", "decided_by"])
        return link
    if resident is None or not can_see(staff, resident):
        raise LinkError(_("Choose a resident of your own grids."))
    if Link.objects.filter(user=link.user, resident=resident).exclude(pk=link.pk).exists():
        raise LinkError(_("This account is already linked to this resident."))
    link.resident = resident
    link.kind = kind
    link.state = Link.State.CONFIRMED
    link.grid_id = resident.household.building.grid_id
    link.community_id = resident.community_id
    link.decided_at, link.decided_by = now, staff
    link.save()
    _tell_confirmed(link)
    return link


@transaction.atomic
def add_proxy(staff, resident: Resident, phone: str) -> ResidentLink:
    """Link the family member who signs in with ``phone`` to act for ``resident``."""
    from .signin import account_for_phone

    if not can_see(staff, resident):
        raise LinkError(_("Choose a resident of your own grids."))
    user = account_for_phone(phone)
    link, created = Link.objects.get_or_create(
        user=user,
        resident=resident,
        defaults={"kind": Link.Kind.PROXY},
    )
    if not created and link.state == Link.State.CONFIRMED:
        raise LinkError(_("This account is already linked to this resident."))
    link.kind = Link.Kind.PROXY
    link.state = Link.State.CONFIRMED
    link.grid_id = resident.household.building.grid_id
    link.community_id = resident.community_id
    link.decided_at, link.decided_by = timezone.now(), staff
    link.save()
    _tell_confirmed(link)
    return link


def _tell_confirmed(link: ResidentLink) -> None:
    notify.to_user(
        link.user_id,
        template=LINK_CONFIRMED,
        payload={"name": link.resident.name},
        dedup_key=f"residents:link:{link.pk}:confirmed",
        community=link.community_id,
    )


# --- what a linked account may see -------------------------------------------------------


def linked_residents(user):
    return residents_acting_for(user)


def households_of(user):
    """The households the account is linked to (its own, and those it acts for)."""
    if user is None or not user.is_authenticated:
        return Household.objects.none()
    return Household.objects.filter(pk__in=Link.objects.households_of(user))


def resident_cases(user):
    """The cases a resident sees on the portal: those they filed, and those of the
    households they are linked to (their own, and a relative's they act for)."""
    from anju.services.models import Case

    if user is None or not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(
        Q(requester_user=user) | Q(household__in=Link.objects.households_of(user))
    )
