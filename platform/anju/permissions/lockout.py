"""Login lockout (django-axes): the client's address, the answer a locked-out login
gets, counting a failed sign-in that does not go through ``authenticate`` (the
residents' SMS code), and lifting a lockout from the admin.

Settings (anju.settings.base, "--- auth"): AXES_FAILURE_LIMIT failures of one username
from one address within AXES_COOLOFF_TIME lock that pair out.
"""

from __future__ import annotations

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.core.ratelimits import known_client_ip

#: Who may see and lift lockouts (the committee's role holds both; superusers do).
VIEW_PERMISSION = "axes.view_accessattempt"
UNLOCK_PERMISSION = "axes.delete_accessattempt"


def client_ip(request) -> str | None:
    """The client's address as the rate limits see it (anju.core.ratelimits), or None
    when it cannot be known: axes stores no made-up address."""
    return known_client_ip(request)


def retry_after_seconds(request, credentials: dict | None) -> int:
    """Seconds until the newest lockout for this username (+ address) ends."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return 0
    attempts = AccessAttempt.objects.all()
    username = get_client_username(request, credentials)
    if username:
        attempts = attempts.filter(username=username)
    ip = getattr(request, "axes_ip_address", None)
    if ip:
        attempts = attempts.filter(ip_address=ip)
    latest = attempts.order_by("-attempt_time").values_list("attempt_time", flat=True).first()
    if latest is None:
        return int(cool_off.total_seconds())
    remaining = (latest + cool_off - timezone.now()).total_seconds()
    return max(1, math.ceil(remaining))


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 with Retry-After and a translated message (never
    axes' bare English 403)."""
    seconds = retry_after_seconds(request, credentials)
    minutes = max(1, math.ceil(seconds / 60))
    message = _(
        "Too many failed sign-in attempts. Signing in is locked for %(minutes)s minutes; "
        "try again later or ask an administrator to unlock it."
    ) % {"minutes": minutes}
    response = TemplateResponse(
        request,
        "permissions/lockout.html",
        {"message": message, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "private, no-store"
    response._anju_no_cache = True
    return response.render()


def is_locked(request, username: str) -> bool:
    """Whether ``username`` from this request's address is locked out now."""
    return AxesProxyHandler.is_locked(request, {"username": username})


def login_failed(request, username: str, sender=__name__) -> bool:
    """Count a failed sign-in that did not go through ``authenticate`` (the same signal
    Django sends); True when it locked the username out."""
    user_login_failed.send(sender=sender, credentials={"username": username}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def locked_attempts():
    """The username + address pairs locked out now (newest first)."""
    cool_off = get_cool_off()
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.order_by("-attempt_time")


def unlock(attempt: AccessAttempt) -> int:
    """Lift the lockout of ``attempt``'s username + address; returns rows removed."""
    if not attempt.ip_address and not attempt.username:
        return AccessAttempt.objects.filter(pk=attempt.pk).delete()[0]
    return reset(ip=attempt.ip_address, username=attempt.username)
