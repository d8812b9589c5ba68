"""The dummy plugin's campaign contributions: a target rule and a due-items source."""

from django.db.models import Q

from anju.plugins import DueItem, DueItems, TargetRule

from .models import Thing


def rooms_ending_01(community):
    """Households in a room ending with 01 (a Q over households)."""
    return Q(room__endswith="01")


def things_to_collect(household_ids, user):
    """A household owes a visit when a Thing named "household-<id>" waits for it: one
    query for any number of households."""
    names = {f"household-{pk}": pk for pk in household_ids}
    due = {}
    for thing in Thing.objects.filter(name__in=list(names)):
        due.setdefault(names[thing.name], []).append(
            DueItem(
                label="Collect the thing",
                url=f"/services/dummy/things/{thing.pk}/",
                note=thing.phone,
            )
        )
    return due


target_rules = [
    TargetRule(code="dummy_plugin.rooms_01", label="Rooms ending in 01", households=rooms_ending_01)
]
due_items = [
    DueItems(code="dummy_plugin.things", label="Things to collect", items=things_to_collect)
]
