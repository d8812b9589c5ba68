"""Deny by default: every staff route says how it is scoped to grids.

Each view under /admin/ and /api/ carries a declaration (``@declare_scope`` on a
function view, a ``grid_scope`` attribute on a class-based view or a Wagtail viewset's
views), or matches one of the patterns in ``BUILT_IN`` for views we do not own (Wagtail's,
django-filter's, ...). ``GridScopeMiddleware`` applies it in one place for every request:
a grid-restricted user (grid worker, resident representative) reaching a route that
declares nothing — or declares whole-community data — gets 403. A test walks every URL
pattern of the project and fails on a staff route with no declaration.
"""

import enum
from fnmatch import fnmatchcase

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.utils.translation import gettext as _

from .scope import is_grid_restricted

STAFF_PREFIXES = ("/admin/", "/api/")


class Scope(enum.StrEnum):
    #: The view filters every row through anju.permissions.scope.scope_queryset.
    GRID = "grid"
    #: The view shows data of the whole community (reports, user admin): refused to
    #: grid-restricted users.
    COMMUNITY = "community"
    #: The view holds no grid data (pages, images, the user's own account, the API root).
    NO_GRID_DATA = "no_grid_data"
    #: Anyone, signed in or not (login, schema, public read endpoints).
    PUBLIC = "public"


ALLOWED_FOR_GRID_RESTRICTED = {Scope.GRID, Scope.NO_GRID_DATA, Scope.PUBLIC}


def declare_scope(scope: Scope):
    """Decorator for function views (and classes): ``@declare_scope(Scope.GRID)``."""

    def decorate(view):
        view.grid_scope = Scope(scope)
        return view

    return decorate


# Views we do not own, by "namespace:url_name" (fnmatch patterns, first match wins).
BUILT_IN: tuple[tuple[str, Scope], ...] = (
    # Wagtail: signing in and the user's own account
    ("wagtailadmin_login", Scope.PUBLIC),
    ("wagtailadmin_password_reset*", Scope.PUBLIC),
    ("wagtailadmin_logout", Scope.NO_GRID_DATA),
    ("wagtailadmin_account*", Scope.NO_GRID_DATA),
    ("wagtailadmin_home", Scope.NO_GRID_DATA),  # panels declare their own data below
    ("wagtailadmin_explore*", Scope.NO_GRID_DATA),
    ("wagtailadmin_choose_page*", Scope.NO_GRID_DATA),
    ("wagtailadmin_tag_autocomplete", Scope.NO_GRID_DATA),
    ("wagtailadmin_sprite", Scope.PUBLIC),
    ("wagtailadmin_javascript_catalog", Scope.PUBLIC),
    ("wagtailadmin_icons", Scope.NO_GRID_DATA),
    ("wagtailadmin_activity", Scope.NO_GRID_DATA),
    ("wagtailadmin_dismissibles", Scope.NO_GRID_DATA),
    ("wagtailadmin_editing_sessions:*", Scope.NO_GRID_DATA),
    ("wagtailadmin_pages:*", Scope.NO_GRID_DATA),
    ("wagtailadmin_workflows:*", Scope.NO_GRID_DATA),
    ("wagtailadmin_tasks:*", Scope.NO_GRID_DATA),
    ("wagtailadmin_collections:*", Scope.NO_GRID_DATA),
    ("wagtailadmin_comment*", Scope.NO_GRID_DATA),
    ("wagtailadmin_page_types:*", Scope.NO_GRID_DATA),
    ("wagtailadmin_generic_usage*", Scope.NO_GRID_DATA),
    ("wagtailadmin_api:*", Scope.NO_GRID_DATA),  # Wagtail's page API for its own admin
    ("wagtailadmin_*", Scope.COMMUNITY),  # anything else of Wagtail's: not for a grid
    ("wagtailimages*", Scope.NO_GRID_DATA),
    ("wagtaildocs*", Scope.NO_GRID_DATA),
    ("wagtailembeds*", Scope.NO_GRID_DATA),
    ("wagtailsnippetchoosers:*", Scope.NO_GRID_DATA),
    ("wagtailsnippets:*", Scope.NO_GRID_DATA),
    ("wagtailforms:*", Scope.COMMUNITY),
    ("wagtailredirects:*", Scope.COMMUNITY),
    ("wagtailsearchpromotions:*", Scope.COMMUNITY),
    ("wagtailusers_*", Scope.COMMUNITY),
    ("wagtailsites:*", Scope.COMMUNITY),
    ("wagtailsettings:*", Scope.COMMUNITY),
    ("wagtailcore_*", Scope.COMMUNITY),
    ("wagtaillocales:*", Scope.COMMUNITY),
    ("wagtail_bulk_action", Scope.COMMUNITY),
    ("wagtailapi:*", Scope.PUBLIC),  # published pages (/api/v2/)
    ("wagtailimages_serve", Scope.PUBLIC),
    # Our API's front door and its description
    ("api-root", Scope.NO_GRID_DATA),
    ("api-schema", Scope.PUBLIC),
    ("api-docs", Scope.PUBLIC),
    ("api-platform", Scope.PUBLIC),
)

# Unnamed routes we do not own, by their full route string.
BUILT_IN_ROUTES: dict[str, Scope] = {
    "admin/test404/": Scope.NO_GRID_DATA,  # Wagtail's 404 preview
    "admin/^.*/$": Scope.NO_GRID_DATA,  # Wagtail's catch-all "not found" inside the admin
}


def _declared(view) -> Scope | None:
    for candidate in (view, getattr(view, "view_class", None), getattr(view, "cls", None)):
        scope = getattr(candidate, "grid_scope", None)
        if scope is not None:
            return Scope(scope)
    initkwargs = getattr(view, "view_initkwargs", None) or {}
    if "grid_scope" in initkwargs:
        return Scope(initkwargs["grid_scope"])
    return None


def scope_of(view, route_name: str | None, route: str | None = None) -> Scope | None:
    """The declared scope of a resolved view: its own declaration first, then the
    patterns for views we do not own. None means undeclared."""
    declared = _declared(view)
    if declared is not None:
        return declared
    if route_name:
        for pattern, scope in BUILT_IN:
            if fnmatchcase(route_name, pattern):
                return scope
    return BUILT_IN_ROUTES.get(route or "")


def route_name(resolver_match) -> str | None:
    if resolver_match is None or not resolver_match.url_name:
        return None
    return resolver_match.view_name


def is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PREFIXES)


def refuses(request, view_func, user) -> bool:
    """Whether the route ``request`` resolved to (``view_func``) is refused to ``user``:
    a staff route that declares nothing, or whole-community data, for a grid-restricted
    user. The middleware asks it for the session's user; API token authentication
    (anju.api.tokens) asks it again for the token's user, who is known only then."""
    if not is_staff_path(request.path_info):
        return False
    match = request.resolver_match
    scope = scope_of(view_func, route_name(match), match.route if match else None)
    if scope in ALLOWED_FOR_GRID_RESTRICTED and scope is not None:
        return False
    return is_grid_restricted(user)


class GridScopeMiddleware:
    """Refuses grid-restricted users any staff route not declared safe for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        path = request.path_info
        if not refuses(request, view_func, request.user):
            return None
        if path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("This resource is not available to grid-restricted roles.")},
                status=403,
            )
        raise PermissionDenied(_("This page is not available to grid-restricted roles."))


def declare_scope_for_patterns(patterns, scope: Scope):
    """Declare ``scope`` for every view in a list of URL patterns (recursively), where
    they are mounted: for a viewset or an included app whose views all hold the same
    kind of data. A view's own, more specific declaration is kept."""
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            declare_scope_for_patterns(pattern.url_patterns, scope)
        elif isinstance(pattern, URLPattern) and _declared(pattern.callback) is None:
            pattern.callback.grid_scope = Scope(scope)
    return patterns


class ScopedViewSetMixin:
    """For Wagtail viewsets: ``grid_scope = Scope.COMMUNITY`` on the viewset declares it
    for all of the viewset's URLs."""

    grid_scope: Scope

    def get_urlpatterns(self):
        return declare_scope_for_patterns(super().get_urlpatterns(), self.grid_scope)
