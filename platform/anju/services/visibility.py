"""Which cases a person may see: the one filter admin inboxes, the API, exports and
figures all use (anju.permissions.scope decides the grids).

- the grid team (grid worker, resident representative, committee seat) sees its grids'
  cases; a committee member with a community-wide grant sees the whole community's,
  including cases with no grid;
- service staff (``services.handle_service_staff_cases``) see the cases of services
  their role handles;
- anyone sees the cases assigned to them;
- partner organisations' staff (the gas company, ...) see the cases handed over to their
  organisation (``hand_over_case``; anju.permissions.partners);
- county staff see every community's cases, township staff their townships'
  communities', and township desk staff the cases routed to their desk (``Case.township``,
  set on filing for services handled by the township; anju.permissions.jurisdiction);
- a resident (no staff role) sees only the cases they filed, through ``own_cases``.
"""

from django.db.models import F, Q
from guardian.shortcuts import get_objects_for_user

from anju.community.models import Community
from anju.core.lookups import AnyOf
from anju.permissions.jurisdiction import community_ids, desk_townships
from anju.permissions.partners import handed_over_ids
from anju.permissions.scope import visible_grid_ids

from .models import Case, HandlerRole

_CACHE_ATTR = "_anju_case_filter"
#: Hand-overs up to this many go into a case query as a list of ids; more, a subquery.
_HANDED_OVER_INLINE = 1000


def _community_ids(user):
    return get_objects_for_user(
        user, "community.view_whole_community", klass=Community, accept_global_perms=False
    ).values("pk")


def case_filter(user) -> Q | None:
    """A Q over Case for what ``user`` may see; None means everything. Worked out once
    per user object (per request), as the grids are (anju.permissions.scope.forget)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = _case_filter(user)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def _case_filter(user) -> Q:
    if not user.has_perm("services.view_case"):
        return Q(pk__in=[])
    # Each branch as plain ids where it can be (one small query each), so PostgreSQL
    # ORs index scans (grid, community, assignee) instead of reading every case through
    # hashed subqueries: a grid worker's 200 cases of a county's 100,000 took 80 ms.
    q = Q(AnyOf(F("grid"), visible_grid_ids(user))) | Q(assignee=user)
    communities = list(_community_ids(user).values_list("pk", flat=True))
    if communities:
        q |= Q(community__in=communities)
    handed = list(
        handed_over_ids(user, Case).values_list("object_id", flat=True)[:_HANDED_OVER_INLINE]
    )
    if len(handed) == _HANDED_OVER_INLINE:
        q |= Q(pk__in=handed_over_ids(user, Case))
    elif handed:
        q |= Q(pk__in=handed)
    if user.has_perm("services.handle_service_staff_cases"):
        q |= Q(service__handler_role=HandlerRole.SERVICE_STAFF)
    jurisdiction = community_ids(user)  # county and township staff
    if jurisdiction is not None:
        q |= Q(community__in=jurisdiction)
    desks = desk_townships(user)  # township desk staff
    if desks is not None:
        q |= Q(township__in=desks)
    return q


def visible_cases(user, queryset=None):
    queryset = Case.objects.all() if queryset is None else queryset
    q = case_filter(user)
    return queryset if q is None else queryset.filter(q)


def can_see_case(user, case) -> bool:
    return visible_cases(user, Case.objects.filter(pk=case.pk)).exists()


def own_cases(user):
    """The cases a signed-in resident filed (or that were filed for their account), and
    those of the households their account is linked to — their own, or a relative's
    they act for as 代理人 (community.ResidentLink, confirmed)."""
    from anju.community.models import ResidentLink

    if user is None or not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(
        Q(requester_user=user) | Q(household__in=ResidentLink.objects.households_of(user))
    )


def is_own_case(user, case) -> bool:
    return own_cases(user).filter(pk=case.pk).exists()
