"""Grid scoping: which grids a user may see, and the one way to filter any queryset.

Seats on a grid's team grant django-guardian object permissions (anju.permissions.grants):
``community.view_grid`` on the grid, and for committee members
``community.view_whole_community`` on its community. A superuser sees everything.

Rows below a grid are never checked one by one: the person's grids are read once per
request (one query, ``visible_grid_ids``) and ``scope_queryset`` adds a single
``<grid_path> = ANY(ids)`` filter (the ids as one array parameter: ``anju.core.lookups``),
where ``grid_path`` is declared on the model (``Household.grid_path == "building__grid"``).
Admin lists, edit views, search, the API and exports all call it, so they all answer the
same. Records of a whole community
(a canteen's menus, a class's terms, safety talks) declare ``community_path`` instead
and are visible where their community is; a row of no community (a county-wide
closure) only to superusers. Service staff, who hold no grid and serve the station's
every community, see them all. A model that also declares
``handover_path`` is visible to partner organisations' staff where its row was handed
over to their organisation (``anju.permissions.partners``). County and township staff
see the grids of their jurisdiction (``anju.permissions.jurisdiction``).
"""

from django.db.models import F, Model, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from anju.community.models import Community, Grid, SpecialGroup
from anju.core.lookups import AnyOf

from . import jurisdiction, partners, roles

_CACHE_ATTR = "_anju_visible_grids"
_IDS_ATTR = "_anju_visible_grid_ids"


def visible_grids(user) -> QuerySet:
    """The grids ``user`` may see, as a queryset of their ids (usable as a subquery).
    The grants are read once per user object; ``forget(user)`` after changing them."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Grid.objects.none()
    if user.is_superuser:
        return Grid.objects.all()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    grids = get_objects_for_user(user, "community.view_grid", klass=Grid, accept_global_perms=False)
    communities = get_objects_for_user(
        user, "community.view_whole_community", klass=Community, accept_global_perms=False
    )
    q = Q(pk__in=grids.values("pk")) | Q(community__in=communities.values("pk"))
    # County staff: every grid; township staff: their townships' communities' grids
    # (anju.permissions.jurisdiction). Nobody else's grids change.
    wider = jurisdiction.grid_q(user)
    if wider is not None:
        q |= wider
    # Resolved to ids once per user object (that is, per request): guardian's nested
    # subqueries, left inside every list's WHERE, hid from PostgreSQL how few grids a
    # person sees, and it hashed whole tables (a grid worker's 600 residents counted in
    # 300 ms over a county). A list of ids it plans with the indexes, sent as one array
    # parameter (``AnyOf``), not one parameter per grid.
    ids = sorted(Grid.objects.filter(q).values_list("pk", flat=True))
    result = Grid.objects.filter(AnyOf(F("pk"), ids))
    setattr(user, _IDS_ATTR, ids)
    setattr(user, _CACHE_ATTR, result)
    return result


def visible_communities(user) -> QuerySet:
    """The communities ``user`` may see (any of whose grids they see), lazily."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return Community.objects.all()
    return Community.objects.filter(pk__in=visible_grids(user).values("community_id"))


def is_scopable(model: type[Model]) -> bool:
    """Whether ``scope_queryset`` knows how to narrow rows of ``model``."""
    return model is Community or hasattr(model, "grid_path") or hasattr(model, "community_path")


def is_community_limited(user) -> bool:
    """Whether ``user`` sees records of a whole community (``community_path``) only for
    the communities they see. Not superusers, nor the service station's staff: they hold
    no grid and serve every community the station serves, as they handle its cases
    (anju.services.visibility); they may also keep rows of no community (county-wide)."""
    if user is None or not user.is_authenticated:
        return True
    if user.is_superuser:
        return False
    return roles.SERVICE_STAFF.name not in _group_names(user)


def visible_grid_ids(user) -> list[int] | None:
    """The ids of ``visible_grids(user)`` as a list (read once per user object), or
    None for a superuser: every grid. For filters that OR the grid scope with other
    conditions: PostgreSQL combines index scans over a list of ids (a grid worker's
    cases of a county: 0.5 ms), never over a subquery (a scan of every case: 100 ms)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    visible_grids(user)
    return list(getattr(user, _IDS_ATTR))


def forget(user) -> None:
    """Drop the per-request memo after grants change."""
    for attr in (_CACHE_ATTR, _IDS_ATTR, "_anju_case_filter"):
        if hasattr(user, attr):
            delattr(user, attr)


def grid_path_of(model: type[Model]) -> str:
    try:
        return model.grid_path
    except AttributeError:
        raise TypeError(f"{model.__name__} declares no grid_path: it cannot be scoped") from None


def scope_queryset(queryset: QuerySet, user) -> QuerySet:
    """``queryset`` narrowed to rows in grids ``user`` may see. One query, any size."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return queryset
    if queryset.model is Community:  # above the grids: visible if any of its grids is
        return queryset.filter(pk__in=visible_grids(user).values("community_id"))
    if not hasattr(queryset.model, "grid_path") and hasattr(queryset.model, "community_path"):
        if not is_community_limited(user):
            return queryset
        path = queryset.model.community_path
        return queryset.filter(**{f"{path}__in": visible_grids(user).values("community_id")})
    path = grid_path_of(queryset.model)
    q = grid_q(queryset.model, path, visible_grid_ids(user))
    # Partner organisations' staff: also the rows handed over to their organisation
    # (anju.permissions.partners); a model that declares no handover_path adds nothing.
    handed = partners.handover_q(queryset.model, user)
    if handed is not None:
        q |= handed
    return queryset.filter(q)


def grid_q(model: type[Model], path: str, ids: list[int]) -> Q:
    """``<path>__in ids`` — the rows whose grid is one of ``ids``, sent as one array
    parameter (``AnyOf``) — written so that
    PostgreSQL can start from the grids: through a foreign key, as ``<fk> IN (the ids of
    the related rows in those grids)``, not as joins up to the grid. With the joins, a
    grid worker's first page of residents (ordered by household) walked the county's
    households in order until it had met enough of theirs: 10–15 ms wherever their grid
    lies, where the subquery reads their grid's few hundred rows by index (under 1 ms).
    The same rows either way (a row with no related row is in no grid)."""
    first, _, rest = path.partition("__")
    if not rest:
        return Q(AnyOf(F(path), ids))
    field = model._meta.get_field(first)
    if not (getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False)) or not (
        field.concrete and field.target_field.primary_key
    ):
        return Q(AnyOf(F(path), ids))
    related = field.related_model._base_manager.filter(AnyOf(F(rest), ids))
    return Q(**{f"{first}__in": related.values("pk")})


def can_see(user, obj: Model) -> bool:
    """Whether ``obj`` lies in a grid ``user`` may see (one query)."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    return scope_queryset(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


def is_grid_restricted(user) -> bool:
    """True for people who may only ever see their own grids (grid workers, resident
    representatives) and hold no wider role. Undeclared staff views refuse them."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return False
    names = _group_names(user)
    wide = {r.name for r in roles.ROLES if r.staff and not r.grid_restricted}
    narrow = {r.name for r in roles.ROLES if r.grid_restricted}
    return bool(names & narrow) and not (names & wide)


def _group_names(user) -> set[str]:
    cached = getattr(user, "_anju_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._anju_group_names = cached
    return cached


def can_see_sensitive_groups(user) -> bool:
    """Sensitive special-group tags (low-income, ...) are shown to the people who handle
    residents' cases, that is who may change residents (committee, grid workers), and
    not to view-only roles such as resident representatives."""
    return bool(user and user.is_authenticated and user.has_perm("community.change_resident"))


def special_groups_for(user) -> QuerySet:
    """The special-group tags ``user`` may see."""
    groups = SpecialGroup.objects.all()
    return groups if can_see_sensitive_groups(user) else groups.filter(sensitive=False)
