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
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.functional import Promise

from . import activation
from .config import PluginConfig
from .mount import PLUGIN_ATTR
from .registry import contributions, installed_plugins


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
    """(route, url name, view) of every URL tagged with the plugin, walking the project."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or ""
                full = f"{namespace}:{ns}" if namespace and ns else ns or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), full)
            elif isinstance(pattern, URLPattern):
                if getattr(pattern.callback, PLUGIN_ATTR, None) == label:
                    name = f"{namespace}:{pattern.name}" if namespace and pattern.name else None
                    yield prefix + str(pattern.pattern), name, pattern

    yield from walk(get_resolver().url_patterns)


def _argless_portal_urls(label: str) -> list[str]:
    urls = []
    for route, name, pattern in _routes(label):
        if name and not pattern.pattern.converters and not route.startswith(("admin/", "api/")):
            if name.endswith(":service-form"):
                continue
            try:
                urls.append(reverse(name))
            except Exception:  # noqa: BLE001 - a route needing arguments is skipped
                continue
    return sorted(set(urls))


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
    for url in _argless_portal_urls(config.label):
        response = client.get(url)
        assert response.status_code in (200, 302), f"{url} answered {response.status_code}"
        if response.status_code == 302:
            assert "login" in response["Location"], f"{url} redirects to {response['Location']}"


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
        for route, _name, pattern in _routes(config.label):
            if not route.startswith("api/") or pattern.pattern.converters:
                continue
            url = "/" + route.replace("^", "").replace("$", "")
            if "(?P" in url or "\\" in url:
                continue
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
    urls = [
        "/" + route.replace("^", "").replace("$", "")
        for route, _n, pattern in _routes(config.label)
        if not pattern.pattern.converters and "(?P" not in route
    ]
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


CHECKS = (
    check_metadata,
    check_migrations_complete,
    check_pages_render,
    check_forms_reject_bad_input,
    check_api_permissions,
    check_disabling_hides_everything,
    check_imports_no_other_plugin,
    check_strings_translatable,
)


def app_config(label: str) -> PluginConfig:
    config = apps.get_app_config(label)
    assert isinstance(config, PluginConfig), f"{label} is not a plugin"
    return config
