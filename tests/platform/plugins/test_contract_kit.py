"""The contract kit catches what it claims to: routes it cannot visit fail instead of
passing vacuously, a plugin route with no grid scope fails, and a URL that will not
reverse is the plugin's error, not silently skipped."""

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import NoReverseMatch, include, path, re_path
from rest_framework.routers import DefaultRouter

from anju.permissions.urlscope import Scope, declare_scope
from anju.plugins import registry
from anju.plugins.testing import (
    ContractEnv,
    app_config,
    check_pages_render,
    check_routes_declare_scope,
)


def plain_view(request, **kwargs):
    return HttpResponse("ok")


@declare_scope(Scope.GRID)
def scoped_view(request, **kwargs):
    return HttpResponse("ok")


def env(world, client):
    return ContractEnv(client=client, users=world.users, community=world.community)


# Each urlconf puts routes in the dummy plugin's namespaces, as mounting would.
only_parametrised = [
    path(
        "services/dummy/",
        include(([path("<int:pk>/", plain_view, name="detail")], "dummy_plugin")),
    ),
]
unscoped_admin = [
    path(
        "admin/dummy-probe/",
        include(
            (
                [path("", plain_view, name="list"), path("ok/", scoped_view, name="ok")],
                "dummy_plugin",
            )
        ),
    ),
]
unreversible = [
    path(
        "services/dummy/",
        include(([re_path(r"^(\d+)/$", plain_view, name="numbered")], "dummy_plugin")),
    ),
]


@override_settings(ROOT_URLCONF=f"{__name__}.only_parametrised")
def test_routes_that_all_need_arguments_fail_instead_of_passing(world, client, settings):
    import sys

    sys.modules[settings.ROOT_URLCONF] = _urlconf(only_parametrised)
    with pytest.raises(AssertionError, match="all need URL arguments"):
        check_pages_render(app_config("dummy_plugin"), env(world, client))


@override_settings(ROOT_URLCONF=f"{__name__}.unscoped_admin")
def test_a_plugin_admin_route_without_a_scope_fails(world, client, settings):
    import sys

    sys.modules[settings.ROOT_URLCONF] = _urlconf(unscoped_admin)
    with pytest.raises(AssertionError) as failure:
        check_routes_declare_scope(app_config("dummy_plugin"), env(world, client))
    assert "admin/dummy-probe/ (name=dummy_plugin:list)" in str(failure.value)
    assert "dummy-probe/ok/" not in str(failure.value)


@override_settings(ROOT_URLCONF=f"{__name__}.unreversible")
def test_a_url_that_does_not_reverse_is_reported(world, client, settings):
    import sys

    sys.modules[settings.ROOT_URLCONF] = _urlconf(unreversible)
    with pytest.raises(NoReverseMatch):
        check_pages_render(app_config("dummy_plugin"), env(world, client))


def test_the_installed_plugins_routes_all_declare_their_scope(world, client):
    for label in ("dummy_plugin",):
        check_routes_declare_scope(app_config(label), env(world, client))


def test_a_default_router_is_refused_with_the_fix():
    with pytest.raises(TypeError, match="SimpleRouter"):
        registry.register_api_router(app_config("dummy_plugin"), DefaultRouter())


def _urlconf(patterns):
    import types

    module = types.ModuleType("kit_urlconf")
    module.urlpatterns = patterns
    return module
