"""What an integration key may do: its scopes, and which endpoints each one opens.

Deny by default: an integration key reaches only the endpoints listed here for one of
its scopes (and the API's front door and description). Everything else answers 403,
even when the key's user could do it with a personal token or a session. The key acts
as its user, so the user's role and grid scope apply on top: a key is never wider than
the role it was issued for. On issue, ``may_hold`` refuses a scope the user's role
could not use at all (figures for a resident).

Plugins add scopes of their own over their API at /api/<slug>/ (``api.token_scopes``,
``anju.plugins.TokenScope``); ``all_scopes``, ``required_scope`` and ``may_hold`` answer
for them too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

NOTICES_READ = "notices:read"
REQUESTS_FILE = "requests:file"
FIGURES_READ = "figures:read"

SCOPES = {
    NOTICES_READ: _("Read notices and pages"),
    REQUESTS_FILE: _("File requests and follow them"),
    FIGURES_READ: _("Read figures"),
}

READ = frozenset({"GET", "HEAD", "OPTIONS"})
ANY = frozenset({"GET", "HEAD", "OPTIONS", "POST"})


@dataclass(frozen=True)
class Opening:
    prefix: str
    methods: frozenset
    scope: str | None  # None: open to every key


#: First match wins. Paths are without the language prefix (the API has none).
OPENINGS: tuple[Opening, ...] = (
    Opening("/api/notices/", READ, NOTICES_READ),
    Opening("/api/v2/pages/", READ, NOTICES_READ),
    Opening("/api/services/forms/", ANY, REQUESTS_FILE),
    Opening("/api/services/track/", ANY, REQUESTS_FILE),
    Opening("/api/services/my-cases/", READ, REQUESTS_FILE),
    Opening("/open311/v2/", ANY, REQUESTS_FILE),
    Opening("/api/services/figures/", READ, FIGURES_READ),
    Opening("/api/auth/me/", READ, None),
    Opening("/api/auth/revoke/", frozenset({"POST"}), None),
    Opening("/api/platform/", READ, None),
    Opening("/api/schema/", READ, None),
)

#: A scope the user's role must already allow (Django permissions), checked on issue.
NEEDS_PERMISSION = {
    FIGURES_READ: "services.view_case",
}


def _plugin_scopes() -> list[tuple[str, object]]:
    """[(the API prefix it opens, TokenScope)] of every installed plugin, longest first."""
    from anju.plugins.registry import contributions, installed_plugins

    plugins = installed_plugins()
    found = []
    for contribution in contributions("token_scopes"):
        scope = contribution.item
        prefix = f"/api/{plugins[contribution.plugin].url_slug}/{scope.path}"
        found.append((prefix, scope))
    return sorted(found, key=lambda pair: -len(pair[0]))


def all_scopes() -> dict:
    """{code: label} of the core's scopes and every installed plugin's."""
    return {**SCOPES, **{scope.code: scope.label for _prefix, scope in _plugin_scopes()}}


def choices() -> list[tuple[str, object]]:
    """The scopes for the admin's form."""
    return list(all_scopes().items())


def label(scope: str):
    return all_scopes().get(scope, scope)


def required_scope(path: str, method: str) -> tuple[bool, str | None]:
    """(listed, scope) for a request: listed False means no key may call it."""
    if path == "/api/":
        return method in READ, None
    for opening in OPENINGS:
        if path.startswith(opening.prefix):
            return method in opening.methods, opening.scope
    for prefix, scope in _plugin_scopes():
        if path.startswith(prefix):
            return method in scope.methods, scope.code
    return False, None


def may_hold(user, scope: str) -> bool:
    """Whether ``user``'s role could use ``scope`` at all."""
    if not user.is_active:
        return False
    if scope in SCOPES:
        permission = NEEDS_PERMISSION.get(scope)
    else:
        declared = {s.code: s for _prefix, s in _plugin_scopes()}
        if scope not in declared:
            return False
        permission = declared[scope].permission
    return permission is None or user.has_perm(permission)
