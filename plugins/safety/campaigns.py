"""The safety plugin's part in campaigns (anju.campaigns):

- a target rule, "households still using LPG" (仍在使用液化气的住户), for a campaign
  that visits them (the checks, or the push to connect piped gas);
- due items on the grid worker's due list and the household page: a household not
  checked this season, and hazards rectified and waiting for a re-check (or past their
  deadline). Two queries for any number of households.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anju.campaigns import Outcome, Round, Target
from anju.plugins import DueItem, DueItems, TargetRule

from . import handling
from .figures import checked_households
from .models import GasState, GasStatus, Hazard


def still_on_lpg(community):
    """Households whose gas status says they still cook on bottled LPG."""
    return Q(
        pk__in=GasStatus.objects.filter(
            state=GasState.LPG, household__building__grid__community=community
        ).values("household_id")
    )


def safety_due(household_ids, user) -> dict:
    """{household id: [DueItem]}: not checked this season; hazards to re-check.

    "Not checked this season" is said only while the community runs the seasonal check
    (an open round of a campaign with the plugin's checklist, this season), and only
    for households that round does not already list as pending — those show the
    campaign's own entry (e.g. households that moved in after the list was made). At
    most four queries, whatever the number of households."""
    due: dict = {}
    if not user.has_perm("safety.view_hazard"):
        return due
    first, last = handling.season_bounds()
    rounds = list(
        Round.objects.filter(
            campaign__checklist=handling.checklist_service(),
            status=Round.Status.OPEN,
            starts_on__gte=first,
            starts_on__lte=last,
        ).values_list("pk", flat=True)
    )
    if rounds:
        listed = Target.objects.filter(
            round_id__in=rounds, household_id__in=household_ids, outcome=Outcome.PENDING
        ).values("household_id")
        checked = checked_households().filter(target__household_id__in=household_ids)
        unchecked = set(household_ids) - set(
            Target.objects.filter(Q(household_id__in=listed) | Q(household_id__in=checked))
            .values_list("household_id", flat=True)
            .distinct()
        )
        for household_id in household_ids:
            if household_id in unchecked:
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
