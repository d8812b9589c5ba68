"""Rate limits that know what to do when their counters are out of reach.

Counters live in the cache (Redis in production). When it is unreachable a limit cannot
count, and each limit must choose:

* **fail open** — a limit that only protects capacity, or one whose request must never
  be refused (a resident filing a request: the case is saved whatever Redis's state);
* **fail closed** — a limit that stops abuse (guessing reference numbers, passwords):
  the request is refused with a message that says the check is briefly unavailable, not
  that the person tried too often.

Used by the portal's views (django-ratelimit) and the API's throttles (DRF).
"""

from __future__ import annotations

import enum
import ipaddress
import logging

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited
from rest_framework import exceptions, status

from .cache import cache_down, cooldown

#: What a fail-closed limit says while its counters are unreachable.
UNAVAILABLE_MESSAGE = _(
    "This check is briefly unavailable. Please try again in a few minutes; "
    "nothing you entered has been lost."
)
TOO_MANY_MESSAGE = _("Too many requests from here. Please wait a while and try again.")


#: The bucket of clients whose address cannot be known (gunicorn on a Unix socket with no
#: balancer header configured): counted together rather than answered with a 500.
UNKNOWN_ADDRESS = "0.0.0.0"

logger = logging.getLogger(__name__)


def valid_ip(value: str | None) -> str | None:
    """``value`` as a normalised IP address, or None when it is not one. A list
    ("client, proxy1, proxy2"): the last entry is the one our own balancer added."""
    if not value:
        return None
    candidate = value.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def known_client_ip(request) -> str | None:
    """The client's address: the header CLIENT_IP_META_KEY names behind a load balancer
    (env RATELIMIT_IP_META_KEY, e.g. HTTP_X_REAL_IP), else REMOTE_ADDR; None when neither
    holds an address. A header that is not an address is ignored, never trusted."""
    key = getattr(settings, "CLIENT_IP_META_KEY", None)
    if key:
        found = valid_ip(request.META.get(key))
        if found:
            return found
    return valid_ip(request.META.get("REMOTE_ADDR"))


def client_address(request) -> str:
    """django-ratelimit's ``RATELIMIT_IP_META_KEY``: always an address. Its own lookup
    raises ImproperlyConfigured (a 500) when REMOTE_ADDR is empty, and a ValueError on a
    header that is not an address."""
    found = known_client_ip(request)
    if found is None:
        logger.warning(
            "No client address on %s (Unix socket without RATELIMIT_IP_META_KEY?): "
            "rate limits count such requests together",
            request.path,
        )
        return UNKNOWN_ADDRESS
    return found


class Verdict(enum.Enum):
    ALLOWED = "allowed"
    LIMITED = "limited"
    UNAVAILABLE = "unavailable"

    def __bool__(self) -> bool:
        return self is not Verdict.ALLOWED


def check(request, group: str, rate: str, *, fail_open: bool, method="POST", key="ip") -> Verdict:
    """Count this request against ``rate`` per client address (``key="ip"``) or per
    signed-in user (``key="user"``; django-ratelimit's keys) and say whether it may go
    on. A truthy verdict refuses it."""
    hit = is_ratelimited(request, group=group, key=key, rate=rate, method=method, increment=True)
    if cache_down():
        return Verdict.ALLOWED if fail_open else Verdict.UNAVAILABLE
    return Verdict.LIMITED if hit else Verdict.ALLOWED


class LimitUnavailable(exceptions.APIException):
    """A fail-closed limit could not count: 503 with Retry-After."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = UNAVAILABLE_MESSAGE
    default_code = "limit_unavailable"

    def __init__(self, detail=None, code=None):
        super().__init__(detail, code)
        self.wait = max(1, round(cooldown()))  # DRF's handler turns ``wait`` into Retry-After


class ResilientThrottleMixin:
    """For DRF throttles: decide what an unreachable cache means. ``fail_open = True``
    lets requests through uncounted; ``False`` answers 503 with Retry-After."""

    fail_open = True

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if cache_down():
            if self.fail_open:
                return True
            raise LimitUnavailable()
        return allowed
