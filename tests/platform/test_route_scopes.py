"""Deny by default: every staff route declares its grid scope, and undeclared ones are
refused to grid-restricted roles."""

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path

from anju.permissions.urlscope import Scope, declare_scope, scope_of


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name, pattern.callback


def staff_routes():
    for route, name, callback in _walk(get_resolver().url_patterns):
        route = route.lstrip("^")
        if route.startswith(("admin/", "api/")):
            yield route, name, callback


def test_there_are_staff_routes_to_check():
    routes = list(staff_routes())
    assert len(routes) > 100  # Wagtail's admin alone has hundreds


def test_every_staff_route_declares_its_grid_scope():
    undeclared = [
        f"{route}  (name={name}, view={getattr(callback, '__qualname__', callback)})"
        for route, name, callback in staff_routes()
        if scope_of(callback, name, route) is None
    ]
    assert not undeclared, "staff routes with no declared grid scope:\n" + "\n".join(undeclared)


def undeclared_view(request):
    return HttpResponse("secret")


@declare_scope(Scope.GRID)
def grid_view(request):
    return HttpResponse("scoped")


@declare_scope(Scope.COMMUNITY)
def community_view(request):
    return HttpResponse("whole community")


urlpatterns = [
    path("admin/probe/undeclared/", undeclared_view),
    path("admin/probe/grid/", grid_view),
    path("admin/probe/community/", community_view),
    path("api/probe/undeclared/", undeclared_view),
]


@pytest.mark.parametrize(
    ("url", "restricted_status"),
    [
        ("/admin/probe/undeclared/", 403),
        ("/admin/probe/community/", 403),
        ("/admin/probe/grid/", 200),
        ("/api/probe/undeclared/", 403),
    ],
)
@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("role", ["grid_worker", "resident_rep", "committee", "superuser"])
def test_middleware_refuses_undeclared_routes_to_grid_restricted_roles(
    world, client, url, restricted_status, role
):
    client.force_login(world.users[role])
    response = client.get(url)
    if role in {"grid_worker", "resident_rep"}:
        assert response.status_code == restricted_status
        if restricted_status == 403:
            assert b"secret" not in response.content
    else:
        assert response.status_code == 200
