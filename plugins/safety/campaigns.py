"""The safety plugin's part in campaigns (anju.campaigns):

- a target rule, "households still using LPG" (仍在使用液化气的住户), for a campaign
  that visits them (the checks, or the push to connect piped gas);
- due items on the grid worker's due list and the household page: a household not
  checked this season, and hazards rectified and waiting for a re-check (or past their
  deadline). Two queries for any number of households.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anju.plugins import DueItem, DueItems, TargetRule

from . import handling
from .figures import checked_households
from .models import GasState, GasStatus, Hazard


def still_on_lpg(community):
    """Households whose gas status says they still cook on bottled LPG."""
    from django.db.models import Q

    return Q(
        pk__in=GasStatus.objects.filter(
            state=GasState.LPG, household__building__grid__community=community
        ).values("household_id")
    )


def safety_due(household_ids, user) -> dict:
    """{household id: [DueItem]}: not checked this season; hazards to re-check."""
    due: dict = {}
    if not user.has_perm("safety.view_hazard"):
        return due
    checked = set(
        checked_households()
        .filter(target__household_id__in=household_ids)
        .values_list("target__household_id", flat=True)
    )
    first, _last = handling.season_bounds()
    for household_id in household_ids:
        if household_id not in checked:
            due.setdefault(household_id, []).append(
                DueItem(
                    label=str(_("Safety check this season")),
                    url="",
                    note=str(_("not checked since %(date)s") % {"date": first.isoformat()}),
                )
            )
    hazards = (
        handling.visible_hazards(user)
        .open()
        .filter(case__household_id__in=household_ids)
        .select_related("case")
        .order_by("case__resolve_due")
    )
    for hazard in hazards.filter(pk__in=Hazard.objects.to_recheck().values("pk")):
        due.setdefault(hazard.case.household_id, []).append(
            DueItem(
                label=str(_("Re-check hazard: %(item)s") % {"item": hazard.get_item_display()}),
                url=reverse("safety_hazards:detail", args=[hazard.pk]),
                note=hazard.case.reference,
            )
        )
    return due


target_rules = [
    TargetRule(code="safety.lpg", label=_("Households still using LPG"), households=still_on_lpg)
]
due_items = [DueItems(code="safety.due", label=_("Gas and fire safety"), items=safety_due)]
