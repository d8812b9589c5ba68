"""The elderly plugin's contributions to campaigns (anju.campaigns): a welfare check due
for an elder who lives alone and stopped coming to lunch appears on the grid worker's
due list, beside the campaigns' own visits."""

from django.utils.translation import gettext_lazy as _

from anju.plugins import DueItem, DueItems

from . import welfare


def welfare_checks_due(household_ids, user) -> dict:
    """{household id: [DueItem]} of the open welfare checks of those households that
    ``user`` may see. One query (``welfare.due_items``)."""
    return {
        household_id: [DueItem(label=label, url=url) for label, url in items]
        for household_id, items in welfare.due_items(household_ids, user).items()
    }


due_items = [
    DueItems(code="elderly.welfare_checks", label=_("Welfare checks"), items=welfare_checks_due)
]
