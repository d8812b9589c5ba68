"""What an integration key may do: its scopes, and which endpoints each one opens.

Deny by default: an integration key reaches only the endpoints listed here for one of
its scopes (and the API's front door and description). Everything else answers 403,
even when the key's user could do it with a personal token or a session. The key acts
as its user, so the user's role and grid scope apply on top: a key is never wider than
the role it was issued for. On issue, ``may_hold`` refuses a scope the user's role
could not use at all (figures for a resident).
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


def required_scope(path: str, method: str) -> tuple[bool, str | None]:
    """(listed, scope) for a request: listed False means no key may call it."""
    if path == "/api/":
        return method in READ, None
    for opening in OPENINGS:
        if path.startswith(opening.prefix):
            return method in opening.methods, opening.scope
    return False, None


def may_hold(user, scope: str) -> bool:
    """Whether ``user``'s role could use ``scope`` at all."""
    if scope not in SCOPES or not user.is_active:
        return False
    permission = NEEDS_PERMISSION.get(scope)
    return permission is None or user.has_perm(permission)
