"""Jurisdictions above the community: the county (the installation) and its townships
(乡镇/街道), and the township desks of the one-stop service station (便民服务站).

Who sees what, deny by default like the grid seats of ``anju.permissions.grants``:

- county staff (role ``county_staff``, permission ``community.view_county``) see every
  community's grids, and so everything below them;
- township staff (role ``township_staff``, permission ``community.view_jurisdiction``)
  see the grids of the communities of the townships whose ``staff`` list names them;
- township desk staff (role ``township_desk``, permission ``community.work_at_desk``)
  see no grid at all: only the cases routed to the desks whose ``desk_staff`` list names
  them (``anju.services.visibility``).

A role without the township's list, or the list without the role, grants nothing.
These functions are folded into ``scope.visible_grids`` (so admin lists, the API,
exports, search, pickers and the dashboard all answer the same) and into the services'
``case_filter``. Every answer is a lazy subquery: no query of its own besides the
user's permissions, which the request has usually loaded already.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import Exists, Q, QuerySet

from anju.community.models import Community, Township

VIEW_COUNTY = "community.view_county"
VIEW_JURISDICTION = "community.view_jurisdiction"
WORK_AT_DESK = "community.work_at_desk"


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def holds(user, perm: str) -> bool | Exists:
    """Whether ``user`` holds the model permission ``perm``: a plain answer when the
    request already loaded their permissions (the API and admin check a model
    permission before they scope), else a condition for the same SQL statement — so
    scoping stays one query whatever asked first."""
    if not _signed_in(user):
        return False
    if hasattr(user, "_perm_cache"):  # django.contrib.auth's ModelBackend memo
        return user.has_perm(perm)
    app_label, codename = perm.split(".", 1)
    return Exists(
        Permission.objects.filter(content_type__app_label=app_label, codename=codename).filter(
            Q(group__user=user) | Q(user=user)
        )
    )


def _when(condition: bool | Exists, q: Q) -> Q | None:
    if condition is False:
        return None
    return q if condition is True else Q(condition) & q


def townships_staffed(user) -> QuerySet | None:
    """The townships ``user`` sees as township staff (a lazy queryset of ids), or None
    when they are not township staff."""
    condition = holds(user, VIEW_JURISDICTION)
    if condition is False:
        return None
    townships = Township.objects.filter(staff=user)
    if condition is not True:
        townships = townships.filter(condition)
    return townships.values("pk")


def grid_q(user) -> Q | None:
    """A Q over Grid for the grids the user's jurisdiction grants beyond their seats
    (every grid for county staff; their townships' communities' for township staff), or
    None when it grants none."""
    parts = [_when(holds(user, VIEW_COUNTY), Q(pk__isnull=False))]
    townships = townships_staffed(user)
    if townships is not None:
        parts.append(Q(community__township__in=townships))
    return _any(parts)


def community_ids(user) -> QuerySet | None:
    """The communities of the user's jurisdiction as a subquery of ids (all of them for
    county staff), or None when they hold no jurisdiction."""
    parts = [_when(holds(user, VIEW_COUNTY), Q(pk__isnull=False))]
    townships = townships_staffed(user)
    if townships is not None:
        parts.append(Q(township__in=townships))
    q = _any(parts)
    return None if q is None else Community.objects.filter(q).values("pk")


def desk_townships(user) -> QuerySet | None:
    """The townships whose service desk ``user`` staffs (ids, lazy), or None when they
    are not desk staff."""
    condition = holds(user, WORK_AT_DESK)
    if condition is False:
        return None
    townships = Township.objects.filter(desk_staff=user)
    if condition is not True:
        townships = townships.filter(condition)
    return townships.values("pk")


def _any(parts) -> Q | None:
    q = None
    for part in parts:
        if part is not None:
            q = part if q is None else q | part
    return q
