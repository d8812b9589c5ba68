"""Mounting plugins' URLs, applying the platform's rules as they are mounted.

Every URL a plugin contributes is mounted in one of the plugin's URL namespaces (its
label for portal pages and service forms, ``<label>-api`` for its API; admin viewsets
have their own, see ``registry.url_namespaces``); ``PluginMiddleware`` answers 404 for a
URL in the namespace of a plugin disabled for the request's community. Portal routes
named in the plugin's ``urls.permissions`` get the permission check, and every plugin API
viewset gets the platform's permission class: no plugin view checks permissions its own
way.
"""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, URLResolver, include, path

from .registry import api_namespace, contributions, portal_namespace


def require_permissions(patterns, permissions: dict[str, str]):
    """Wrap the views named in ``permissions`` (recursively) with their permission check."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            require_permissions(pattern.url_patterns, permissions)
        elif isinstance(pattern, URLPattern) and pattern.name in permissions:
            pattern.callback = _require(pattern.callback, permissions[pattern.name])
    return patterns


def _require(view, permission: str):
    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(permission):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    checked.required_permission = permission
    return checked


def _form_view(label: str, view):
    """The core's service-form view, bound to one plugin (one function per plugin, so
    each can carry its own plugin tag)."""

    def plugin_service_form(request, form_slug):
        return view(request, form_slug=form_slug, plugin=label)

    return plugin_service_form


def portal_urlpatterns():
    """/services/<slug>/...: each plugin's portal pages and its service forms."""
    from .views import service_form

    patterns = []
    forms_by_plugin: dict[str, list] = {}
    for contribution in contributions("service_forms"):
        forms_by_plugin.setdefault(contribution.plugin, []).append(contribution.item)
    labels = {c.plugin for c in contributions("portal_urls")} | set(forms_by_plugin)
    plugins = {c.plugin: c.item for c in contributions("portal_urls")}
    from .registry import installed_plugins

    configs = installed_plugins()
    for label in sorted(labels):
        own, permissions = plugins.get(label, ([], {}))
        form_routes = []
        if label in forms_by_plugin:
            form_routes.append(
                path(
                    "forms/<slug:form_slug>/", _form_view(label, service_form), name="service-form"
                )
            )
        checked = require_permissions(list(own) + form_routes, permissions)
        patterns.append(
            path(f"{configs[label].url_slug}/", include((checked, portal_namespace(label))))
        )
    return patterns


def _api_root_view(namespace: str, router):
    """/api/<slug>/ itself: a link to each of the plugin's resources, as the core's API
    root does (a plugin's router is usually a SimpleRouter, which has no root)."""
    from rest_framework import permissions
    from rest_framework.response import Response
    from rest_framework.reverse import reverse
    from rest_framework.views import APIView

    from anju.permissions.urlscope import Scope

    class PluginAPIRootView(APIView):
        grid_scope = Scope.NO_GRID_DATA  # links only
        # Signed in, as the resources it links: a plugin's API is for staff and residents
        # with accounts (the contract kit checks anonymous visitors are refused).
        permission_classes = [permissions.IsAuthenticated]
        schema = None  # not an operation of the API: the schema lists the resources

        def get(self, request, format=None):  # noqa: A002 - DRF's name
            return Response(
                {
                    prefix: reverse(f"{namespace}:{basename}-list", request=request, format=format)
                    for prefix, _viewset, basename in router.registry
                }
            )

    return PluginAPIRootView.as_view()


def api_urlpatterns():
    """/api/<slug>/...: each plugin's DRF router, with the platform's permissions, and
    a root listing its resources (unless the plugin put a resource at its root)."""
    from anju.permissions.api import RolePermissions

    from .registry import installed_plugins

    configs = installed_plugins()
    patterns = []
    for contribution in contributions("api_routers"):
        router = contribution.item
        for _prefix, viewset, _basename in router.registry:
            viewset.permission_classes = [RolePermissions]
        urls = list(router.urls)
        if all(prefix for prefix, _viewset, _basename in router.registry):
            root = _api_root_view(api_namespace(contribution.plugin), router)
            urls.insert(0, path("", root, name="api-root"))
        slug = configs[contribution.plugin].url_slug
        namespace = api_namespace(contribution.plugin)
        patterns.append(path(f"{slug}/", include((urls, namespace))))
    return patterns
