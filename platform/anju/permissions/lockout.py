"""Login lockout (django-axes): the client's address, the answer a locked-out login
gets, counting a failed sign-in that does not go through ``authenticate`` (the
residents' SMS code), and lifting a lockout from the admin.

A committee member sees (and lifts) only the lockouts of their communities' people:
accounts seated on a grid they see, their partner organisations' staff, accounts linked
to a resident of such a grid, and the residents' phone sign-ins (counted under
``phone_username``). Superusers and the service station's staff, who serve every
community, see them all.

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
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.community.models import Resident, ResidentLink, phone_digest
from anju.core.ratelimits import known_client_ip

from . import scope

#: Who may see and lift lockouts (the committee's role holds both; superusers do).
VIEW_PERMISSION = "axes.view_accessattempt"
UNLOCK_PERMISSION = "axes.delete_accessattempt"


#: Residents' phone sign-ins are counted under this prefix + the start of the phone's
#: digest (``phone_username``): the lockout list never shows a phone number.
PHONE_USERNAME_PREFIX = "resident-"
_PHONE_DIGEST_CHARS = 16


def phone_username(phone: str) -> str:
    """The username a phone's portal account has, and its failed sign-ins count under."""
    return f"{PHONE_USERNAME_PREFIX}{phone_digest(phone)[:_PHONE_DIGEST_CHARS]}"


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


def locked_attempts(user=None) -> QuerySet:
    """The username + address pairs locked out now (newest first); with ``user``, those
    of the people of the communities ``user`` sees (see the module's docstring)."""
    cool_off = get_cool_off()
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    if user is not None:
        attempts = visible_to(attempts, user)
    return attempts.order_by("-attempt_time")


def visible_to(attempts: QuerySet, user) -> QuerySet:
    """``attempts`` narrowed to the people of the communities ``user`` sees."""
    if not scope.is_community_limited(user):
        return attempts
    grid_ids = scope.visible_grid_ids(user)
    if not grid_ids:
        return attempts.none()
    residents = Resident.objects.filter(household__building__grid_id__in=grid_ids)
    accounts = get_user_model().objects.filter(
        Q(grid_seats__grid_id__in=grid_ids)
        | Q(partner_organisations__community__grids__in=grid_ids)
        | Q(
            pk__in=ResidentLink.objects.confirmed().filter(resident__in=residents).values("user_id")
        )
    )
    phones = (
        residents.exclude(phone_digest="")
        .annotate(
            lockout_name=Concat(
                Value(PHONE_USERNAME_PREFIX), Substr("phone_digest", 1, _PHONE_DIGEST_CHARS)
            )
        )
        .values("lockout_name")
    )
    return attempts.filter(Q(username__in=accounts.values("username")) | Q(username__in=phones))


def unlock(attempt: AccessAttempt) -> int:
    """Lift the lockout of ``attempt``'s username + address; returns rows removed."""
    if not attempt.ip_address and not attempt.username:
        return AccessAttempt.objects.filter(pk=attempt.pk).delete()[0]
    return reset(ip=attempt.ip_address, username=attempt.username)
