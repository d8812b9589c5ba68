"""Token authentication for clients that are not a browser (django-rest-knox).

``Authorization: Bearer anju_…`` carries a personal token or an integration key
(``anju.api.models.ApiToken``). Either acts as its user, so every role rule and grid
scope that holds for the user's session holds for the token: the API's querysets, its
permission classes, and the route scope the session middleware applies
(``anju.permissions.urlscope.refuses``, asked again here because the token's user is
known only now). An integration key is narrower still: only the endpoints its scopes
open (``anju.api.scopes``).

Missing, unknown, expired and revoked credentials answer 401 with a ``WWW-Authenticate``
challenge naming the scheme (RFC 6750's ``Bearer``, with ``error="invalid_token"`` and
the reason); an out-of-scope call answers 403. Each request made with a token counts
against that token's own rate limit (``API_TOKEN_RATE``). Every use of an integration
key is written to the audit log (one INSERT, no read); so is every refusal of a known
token (expired, revoked, out of scope). A token's ``last_used_at`` is written at most
once a minute.
"""

from __future__ import annotations

import binascii
from datetime import datetime, timedelta
from hmac import compare_digest

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from anju.core.models import AuditEntry
from anju.core.ratelimits import ResilientThrottleMixin
from anju.permissions.urlscope import refuses

from . import scopes as scope_rules
from .models import ApiToken, TokenKind

SCHEME = "Bearer"
REALM = 'realm="anju"'
#: The other way in, named in the challenge too: the browser session.
SESSION_CHALLENGE = 'Session realm="anju", login="/admin/login/"'

USED = "api_key_used"
REFUSED = "api_token_refused"
ISSUED = "api_token_issued"
REVOKED = "api_token_revoked"

_ERROR_ATTR = "_anju_token_error"
LAST_USED_EVERY = timedelta(minutes=1)


class TokenError(exceptions.AuthenticationFailed):
    """401 for a credential that does not open the door; ``reason`` goes in the
    challenge (plain ASCII, for programs), the detail in the reader's language."""

    def __init__(self, detail, reason: str):
        super().__init__(detail, code=reason)
        self.reason = reason


def _audit(request, token: ApiToken, action: str, note: str = "") -> None:
    django_request = getattr(request, "_request", request)
    AuditEntry.objects.create(
        user=token.user,
        action=action,
        object_type=ContentType.objects.get_for_model(ApiToken),
        object_id=str(token.pk),
        object_repr=(
            f"{token.get_kind_display()} {token.token_key[:8]}… {token.name} "
            f"{django_request.method} {django_request.path}{' ' + note if note else ''}"
        )[:200],
        where="api",
        ip_address=django_request.META.get("REMOTE_ADDR") or None,
    )


class TokenRateThrottle(ResilientThrottleMixin, SimpleRateThrottle):
    """Requests per token (``API_TOKEN_RATE``, default 600/hour): one busy or stolen
    token cannot use up what everyone else shares. Capacity only, so it fails open."""

    fail_open = True
    scope = "api_token"

    def __init__(self, token: ApiToken):
        self.token = token
        super().__init__()

    def get_rate(self):
        return getattr(settings, "API_TOKEN_RATE", "600/hour")

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.token.pk}


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's header parsing and digest comparison; Anju's rules for what follows."""

    def authenticate_header(self, request):
        reason = getattr(request, _ERROR_ATTR, None)
        if reason:
            return f'{SCHEME} {REALM}, error="invalid_token", error_description="{reason}"'
        return f"{SCHEME} {REALM}, {SESSION_CHALLENGE}"

    def authenticate(self, request):
        try:
            header = get_authorization_header(request).split()
        except UnicodeError:  # characters no HTTP header can carry
            self._fail(request, _("The token is not valid."), "unknown token")
        if not header or header[0].lower() != SCHEME.lower().encode():
            return None
        if len(header) != 2:
            self._fail(request, _("Send the token as: Authorization: Bearer <token>."), "malformed")
        return self.authenticate_raw(request, header[1])

    def authenticate_raw(self, request, raw: bytes):
        """Check a token's text however it came (the header; Open311's ``api_key``)."""
        user, token = self.authenticate_credentials(raw, request=request)
        self._check_route(request, token)
        throttle = TokenRateThrottle(token)
        if not throttle.allow_request(request, None):
            raise exceptions.Throttled(
                throttle.wait(), detail=_("Too many requests with this token. Please wait.")
            )
        self._record_use(request, token)
        return user, token

    def _fail(self, request, detail, reason, token=None):
        setattr(request, _ERROR_ATTR, reason)
        if token is not None:
            _audit(request, token, REFUSED, reason)
        raise TokenError(detail, reason)

    def authenticate_credentials(self, raw, request=None):
        try:
            token_text = raw.decode("ascii")
            digest = hash_token(token_text)
        except (UnicodeDecodeError, TypeError, ValueError, binascii.Error):
            self._fail(request, _("The token is not valid."), "unknown token")
        found = None
        for candidate in ApiToken.objects.filter(
            token_key=token_text[: CONSTANTS.TOKEN_KEY_LENGTH]
        ).select_related("user"):
            if compare_digest(digest, candidate.digest):
                found = candidate
                break
        if found is None:
            self._fail(request, _("The token is not valid."), "unknown token")
        if found.is_revoked:
            self._fail(request, _("This token has been revoked."), "revoked", found)
        if found.is_expired:
            self._fail(request, _("This token has expired."), "expired", found)
        if not found.user.is_active:
            self._fail(request, _("The account of this token is disabled."), "inactive", found)
        return found.user, found

    def _check_route(self, request, token: ApiToken) -> None:
        django_request = request._request
        match = django_request.resolver_match
        if token.kind == TokenKind.INTEGRATION:
            listed, needed = scope_rules.required_scope(django_request.path, request.method)
            if not listed:
                _audit(request, token, REFUSED, "not open to keys")
                raise exceptions.PermissionDenied(_("Integration keys may not use this endpoint."))
            if needed is not None and needed not in token.scopes:
                _audit(request, token, REFUSED, f"needs {needed}")
                raise exceptions.PermissionDenied(
                    _("This key's scopes do not include %(scope)s (%(label)s).")
                    % {"scope": needed, "label": scope_rules.label(needed)}
                )
        if match is not None and refuses(django_request, match.func, token.user):
            _audit(request, token, REFUSED, "grid scope")
            raise exceptions.PermissionDenied(
                _("This resource is not available to grid-restricted roles.")
            )

    def _record_use(self, request, token: ApiToken) -> None:
        now = timezone.now()
        if token.kind == TokenKind.INTEGRATION:
            _audit(request, token, USED)
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now


class TokenScheme(OpenApiAuthenticationExtension):
    """How the schema and /api/docs/ describe it: HTTP bearer (the docs' Authorize
    button takes a token)."""

    target_class = "anju.api.tokens.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                gettext_lazy(
                    "A personal token (POST /api/auth/token/ for residents; issued in the "
                    "admin for staff) or an integration key: Authorization: Bearer anju_…"
                )
            ),
        }


def issue(
    user,
    *,
    name: str,
    kind: str = TokenKind.PERSONAL,
    scopes=(),
    expires: datetime | timedelta | None,
    issued_by=None,
    request=None,
) -> tuple[ApiToken, str]:
    """Make a token for ``user`` and return it with its text, shown this once (only the
    digest is kept). An integration key's scopes must each be one the user's role
    could use (``scopes.may_hold``): ValueError otherwise."""
    scopes = sorted(set(scopes)) if kind == TokenKind.INTEGRATION else []
    for scope in scopes:
        if not scope_rules.may_hold(user, scope):
            raise ValueError(scope)
    if isinstance(expires, datetime):
        expires = expires - timezone.now()
    with transaction.atomic():
        token, text = ApiToken.objects.create(
            user,
            expiry=expires,
            kind=kind,
            name=name[:100],
            scopes=scopes,
            issued_by=issued_by if issued_by is not None and issued_by.is_authenticated else None,
        )
        if request is not None:
            _audit(request, token, ISSUED)
    return token, text


def revoke(token: ApiToken, *, by=None, request=None) -> None:
    token.revoke(by=by)
    if request is not None:
        _audit(request, token, REVOKED)
