"""The contract test kit: the checks every plugin must pass, in-tree or external.

``tests/contract`` runs every check over every installed plugin, so a new plugin is
checked with no test code of its own. An external plugin's own suite can do the same::

    from anju.plugins.testing import CHECKS, plugin_configs

    @pytest.mark.parametrize("check", CHECKS)
    def test_contract(check, contract_env):
        check(plugin_configs()["myplugin"], contract_env)

Each check takes the plugin's config and a ``ContractEnv`` (a Django test client and a
user per role) and fails with an AssertionError that says what to fix.
"""

from __future__ import annotations

import ast
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.functional import Promise

from anju.permissions.urlscope import scope_of

from . import activation
from .config import PluginConfig
from .registry import contributions, installed_plugins, url_namespaces


@dataclass
class ContractEnv:
    client: Any  # django.test.Client
    users: dict[str, Any]  # role code (and "superuser") -> user
    community: Any  # the community whose activation the checks toggle
    notes: list[str] = field(default_factory=list)


def plugin_configs() -> dict[str, PluginConfig]:
    return installed_plugins()


# --- helpers ---------------------------------------------------------------------------


def _routes(label: str):
    """(route, url name, pattern) of every URL of the plugin — those in one of its URL
    namespaces (portal, API, admin viewsets) — walking the whole project."""
    owned = {ns for ns, owner in url_namespaces().items() if owner == label}

    def walk(patterns, prefix="", namespaces=()):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespaces + ((pattern.namespace,) if pattern.namespace else ())
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and owned.intersection(namespaces):
                name = ":".join(namespaces + (pattern.name,)) if pattern.name else None
                route = (prefix + str(pattern.pattern)).replace("^", "").replace("$", "")
                yield route, name, pattern

    yield from walk(get_resolver().url_patterns)


def _needs_arguments(route: str, pattern) -> bool:
    return bool(pattern.pattern.converters) or "(?P" in route or "<" in route


def _argless_portal_urls(label: str) -> list[str]:
    """The plugin's portal URLs that need no arguments. Reversing one that should work
    and does not is the plugin's bug, and fails the check with Django's own message."""
    urls = []
    for route, name, pattern in _routes(label):
        if route.startswith(("admin/", "api/")) or _needs_arguments(route, pattern):
            continue
        if name is None or name.endswith(":service-form"):
            continue
        urls.append(reverse(name))
    return sorted(set(urls))


def _argless_urls(label: str, prefix: str) -> list[str]:
    """The plugin's URLs under ``prefix`` ("admin/", "api/") that need no arguments."""
    return sorted(
        {
            "/" + route
            for route, _name, pattern in _routes(label)
            if route.startswith(prefix) and not _needs_arguments(route, pattern)
        }
    )


def _plugin_model_counts(config) -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in config.get_models()}


# --- the checks ------------------------------------------------------------------------


def check_metadata(config: PluginConfig, env: ContractEnv) -> None:
    """Flat metadata is complete and valid; title and description are translatable."""
    config.validate()  # raises ImproperlyConfigured with the plugin's name
    for attr in ("title", "description"):
        value = getattr(config, attr)
        assert isinstance(value, Promise), (
            f"{config.label}.{attr} must be wrapped with gettext_lazy so it can be translated"
        )


def check_migrations_complete(config: PluginConfig, env: ContractEnv) -> None:
    """Every model change has its migration."""
    out = io.StringIO()
    try:
        call_command("makemigrations", config.label, check=True, dry_run=True, stdout=out)
    except SystemExit:
        raise AssertionError(
            f"{config.label} has model changes without migrations: run "
            f"`python manage.py makemigrations {config.label}`\n{out.getvalue()}"
        ) from None


def check_pages_render(config: PluginConfig, env: ContractEnv) -> None:
    """Each portal page (and page type) renders for anonymous visitors, or asks them to
    sign in; none answers 500."""
    client = env.client
    client.logout()
    urls = _argless_portal_urls(config.label)
    portal_routes = [
        r for r, _n, _p in _routes(config.label) if not r.startswith(("admin/", "api/"))
    ]
    own_pages = [r for r in portal_routes if "forms/<" not in r]
    assert urls or not own_pages, (
        f"{config.label}'s {len(own_pages)} portal route(s) all need URL arguments, so "
        "no check can visit them: give the plugin an index page at its root ('') that "
        "links to the rest"
    )
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302), f"{url} answered {response.status_code}"
        if response.status_code == 302:
            # To a sign-in: the portal's (LOGIN_URL) for residents, or the admin's.
            location = response["Location"]
            assert "login" in location or location.startswith(resolve_url(settings.LOGIN_URL)), (
                f"{url} redirects to {location}"
            )


def check_forms_reject_bad_input(config: PluginConfig, env: ContractEnv) -> None:
    """Each service form answers an empty submission with field errors and saves nothing."""
    client = env.client
    client.force_login(env.users["superuser"])
    for contribution in contributions("service_forms"):
        if contribution.plugin != config.label:
            continue
        url = reverse(f"{config.label}:service-form", kwargs={"form_slug": contribution.item.slug})
        assert client.get(url).status_code == 200, f"GET {url} failed"
        before = _plugin_model_counts(config)
        response = client.post(url, {})
        assert response.status_code == 400, f"an empty {url} was accepted"
        assert response.context["form"].errors, f"{url} gave no field errors"
        assert _plugin_model_counts(config) == before, f"an invalid {url} saved data"
    client.logout()


def check_api_permissions(config: PluginConfig, env: ContractEnv) -> None:
    """The plugin's API is in the OpenAPI schema; anonymous visitors are refused; no role
    gets a server error."""
    client = env.client
    client.logout()
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    for contribution in contributions("api_routers"):
        if contribution.plugin != config.label:
            continue
        prefix = f"/api/{config.url_slug}/"
        assert any(p.startswith(prefix) for p in schema["paths"]), (
            f"{config.label}'s API is missing from /api/schema/"
        )
        urls = _argless_urls(config.label, "api/")
        assert urls, (
            f"{config.label}'s API has no list endpoint the kit can call: every route "
            "needs arguments"
        )
        for url in urls:
            client.logout()
            status = client.get(url, HTTP_ACCEPT="application/json").status_code
            assert status in (401, 403), f"anonymous GET {url} answered {status}"
            for role, user in env.users.items():
                client.force_login(user)
                status = client.get(url, HTTP_ACCEPT="application/json").status_code
                assert status in (200, 403), f"{role}: GET {url} answered {status}"
    client.logout()


def check_disabling_hides_everything(config: PluginConfig, env: ContractEnv) -> None:
    """Disabled for a community, the plugin's pages, forms and API answer 404 and its
    navigation and cards vanish; enabled again, all returns."""
    client = env.client
    client.force_login(env.users["superuser"])
    urls = _argless_portal_urls(config.label) + _argless_urls(config.label, "api/")
    urls += _argless_urls(config.label, "admin/")
    assert urls or not list(_routes(config.label)), (
        f"{config.label} has routes, but none the kit can visit without arguments"
    )
    activation.disable(env.community, config.label)
    try:
        for url in urls:
            status = client.get(url).status_code
            assert status == 404, f"{url} answered {status} with {config.label} disabled"
        home = client.get("/").content.decode()
        for point in ("portal_links", "service_cards"):
            for contribution in contributions(point):
                if contribution.plugin == config.label:
                    assert reverse(contribution.item.url_name) not in home, (
                        f"{config.label}'s {point} still shows on the home page when disabled"
                    )
    finally:
        activation.enable(env.community, config.label)
    for url in _argless_portal_urls(config.label):
        assert client.get(url).status_code != 404, f"{url} did not come back when re-enabled"
    client.logout()


def check_routes_declare_scope(config: PluginConfig, env: ContractEnv) -> None:
    """Every admin and API route of the plugin declares its grid scope (the same walk
    tests/platform/test_route_scopes.py makes over the whole project): a route that
    declares nothing is refused to grid workers and representatives."""
    undeclared = [
        f"{route} (name={name})"
        for route, name, pattern in _routes(config.label)
        if route.startswith(("admin/", "api/")) and scope_of(pattern.callback, name, route) is None
    ]
    assert not undeclared, (
        f"{config.label}: routes with no declared grid scope (set grid_scope on the view "
        "or viewset, or use declare_scope):\n" + "\n".join(undeclared)
    )


def check_imports_no_other_plugin(config: PluginConfig, env: ContractEnv) -> None:
    """A plugin imports the platform (anju) and libraries, never another plugin."""
    root = Path(config.path)
    others = {c.name for c in installed_plugins().values() if c.label != config.label}
    for source in root.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                for other in others:
                    assert not (name == other or name.startswith(other + ".")), (
                        f"{source} imports {name}: plugins never import each other"
                    )


def check_strings_translatable(config: PluginConfig, env: ContractEnv) -> None:
    """The plugin ships a complete, compiled zh_Hans catalogue."""
    import polib

    po_path = Path(config.path) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    assert po_path.exists(), f"{config.label} has no {po_path}: run make messages"
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
    assert not missing, f"{config.label}: untranslated strings {missing}"
    assert po_path.with_suffix(".mo").exists(), f"{config.label}: {po_path} is not compiled"


def check_dashboard_tiles(config: PluginConfig, env: ContractEnv) -> None:
    """Each dashboard tile answers in one query for every role, with counts per grid
    (or None) that stay inside the grids the user may see, and rate figures whose keys
    its counts provide."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from anju.permissions.scope import is_grid_restricted, visible_grids
    from anju.services.visibility import case_filter

    today = timezone.localdate()
    start = today.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    for contribution in contributions("dashboard_tiles"):
        if contribution.plugin != config.label:
            continue
        tile = contribution.item
        keys = {figure.key for figure in tile.figures}
        assert len(keys) == len(tile.figures), f"{tile.code}: two figures share a key"
        for role, user in env.users.items():
            if tile.permission and not user.has_perm(tile.permission):
                continue
            grids = visible_grids(user).filter(community=env.community)
            allowed = set(grids.values_list("pk", flat=True))
            is_grid_restricted(user)  # the user's roles: looked up once per request
            case_filter(user)  # the cases they may see: worked out once per request
            with CaptureQueriesContext(connection) as queries:
                counts = tile.counts(user, grids, start, end)
            assert len(queries) <= 1, (
                f"{tile.code} ran {len(queries)} queries for {role}: count per grid in "
                "one grouped query (values().annotate())"
            )
            assert isinstance(counts, dict), f"{tile.code}: counts must return a dict"
            for grid_id, row in counts.items():
                assert all(isinstance(v, int) for v in row.values()), (
                    f"{tile.code}: counts must be whole numbers, got {row}"
                )
                if is_grid_restricted(user):
                    assert grid_id is None or grid_id in allowed, (
                        f"{tile.code} counted grid {grid_id} for {role}, who may not see it"
                    )
            for figure in tile.figures:
                if figure.rate:
                    returned = {k for row in counts.values() for k in row}
                    assert not returned or set(figure.rate) <= returned, (
                        f"{tile.code}: rate {figure.key} needs counts {figure.rate}"
                    )


CHECKS = (
    check_metadata,
    check_migrations_complete,
    check_pages_render,
    check_forms_reject_bad_input,
    check_api_permissions,
    check_disabling_hides_everything,
    check_routes_declare_scope,
    check_imports_no_other_plugin,
    check_strings_translatable,
    check_dashboard_tiles,
)


def app_config(label: str) -> PluginConfig:
    config = apps.get_app_config(label)
    assert isinstance(config, PluginConfig), f"{label} is not a plugin"
    return config
