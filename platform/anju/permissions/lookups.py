"""Lookups of another grid's data that a task needs: audited and rate-limited.

Registering a resident checks the ID number against the whole community (a person is
registered once). The answer — "already registered" — tells a grid worker something
about a grid they may not see, so every check made through the admin or the API is
written to the audit log (``check_id_number``: the matching resident when there is
one, else the household being filled in) and limited per user
(``ID_NUMBER_CHECK_RATE``, default 30 an hour). The limit fails closed: while its
counters are unreachable the check is refused with a message, and nothing is saved.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from anju.community.models import Resident, id_number_digest
from anju.core import audit, ratelimits

CHECK_ID_NUMBER = "check_id_number"


def id_number_check_rate() -> str:
    return getattr(settings, "ID_NUMBER_CHECK_RATE", "30/h")


def check_id_number(request, user, *, id_number: str, household, exclude_pk=None, where: str):
    """Count, audit and run the community-wide duplicate check for ``id_number`` about
    to be saved on a resident of ``household``. Raises ValidationError (for the
    ``id_number`` field) when over the limit or already registered."""
    if not id_number or household is None:
        return
    who = request if request is not None else SimpleNamespace(user=user, META={}, method="POST")
    verdict = ratelimits.check(
        who, "anju.id_number_check", id_number_check_rate(), fail_open=False, key="user"
    )
    if verdict is ratelimits.Verdict.UNAVAILABLE:
        raise ValidationError(str(ratelimits.UNAVAILABLE_MESSAGE), code="unavailable")
    if verdict:
        raise ValidationError(
            _(
                "Too many ID numbers checked against the community register in the last "
                "hour. Please wait a while and try again; the checks are recorded."
            ),
            code="throttled",
        )
    community_id = household.building.grid.community_id
    match = (
        Resident.objects.filter(
            community_id=community_id, id_number_digest=id_number_digest(id_number)
        )
        .exclude(pk=exclude_pk)
        .only("pk", "name")
        .first()
    )
    audit.record(request, CHECK_ID_NUMBER, [match or household], where=where, user=user)
    if match is not None:
        raise ValidationError(
            _("A resident with this ID number is already registered in this community."),
            code="duplicate",
        )
