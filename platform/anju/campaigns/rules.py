"""Who a campaign targets: the rule staff compose in the admin, as one queryset.

Every criterion set narrows the list (AND); special groups match any of those chosen.
Age is read from the birth date, which the register keeps equal to the ID number's.
A plugin's rule (``registry``) narrows it further. The queryset is lazy: counting it is
one query, materialising it one more (see ``rounds``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anju.community.models import Household, Resident

from . import registry
from .models import HouseholdFlag, TargetKind

ELDERLY_AGE = 60
ADULT_AGE = 18


class RuleError(ValueError):
    """A rule that cannot be evaluated; ``str()`` is the translated reason."""


@dataclass
class Rule:
    community: object
    target_kind: str = TargetKind.HOUSEHOLD
    groups: list = field(default_factory=list)
    min_age: int | None = None
    max_age: int | None = None
    grids: list = field(default_factory=list)
    buildings: list = field(default_factory=list)
    household_flag: str = ""
    plugin_rule: str = ""

    @classmethod
    def of(cls, campaign) -> Rule:
        return cls(
            community=campaign.community,
            target_kind=campaign.target_kind,
            groups=list(campaign.rule_groups.all()),
            min_age=campaign.min_age,
            max_age=campaign.max_age,
            grids=list(campaign.rule_grids.all()),
            buildings=list(campaign.rule_buildings.all()),
            household_flag=campaign.household_flag,
            plugin_rule=campaign.plugin_rule,
        )


def born_before(years: int, on: datetime.date) -> datetime.date:
    """The latest birth date of someone aged ``years`` or more on ``on``."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def _resident_q(rule: Rule, on: datetime.date) -> Q | None:
    q = Q()
    if rule.groups:
        q &= Q(groups__in=rule.groups)
    if rule.min_age is not None:
        q &= Q(birth_date__lte=born_before(rule.min_age, on))
    if rule.max_age is not None:
        # Aged at most N: not yet N + 1.
        q &= Q(birth_date__gt=born_before(rule.max_age + 1, on))
    return q if q else None


def _households(rule: Rule, on: datetime.date) -> QuerySet:
    households = Household.objects.filter(building__grid__community=rule.community)
    if rule.grids:
        households = households.filter(building__grid__in=rule.grids)
    if rule.buildings:
        households = households.filter(building__in=rule.buildings)
    flag = rule.household_flag
    if flag == HouseholdFlag.SINGLE:
        single = (
            Resident.objects.values("household_id")
            .annotate(n=Count("pk"))
            .filter(n=1)
            .values("household_id")
        )
        households = households.filter(pk__in=single)
    elif flag == HouseholdFlag.ALL_ELDERLY:
        young = Resident.objects.filter(birth_date__gt=born_before(ELDERLY_AGE, on))
        households = households.filter(pk__in=Resident.objects.values("household_id")).exclude(
            pk__in=young.values("household_id")
        )
    elif flag == HouseholdFlag.WITH_CHILD:
        children = Resident.objects.filter(birth_date__gt=born_before(ADULT_AGE, on))
        households = households.filter(pk__in=children.values("household_id"))
    if rule.plugin_rule:
        contributed = registry.rule(rule.plugin_rule, rule.community)
        if contributed is None:
            raise RuleError(
                _("The rule “%(code)s” is not available here: its plugin is disabled or removed.")
                % {"code": rule.plugin_rule}
            )
        narrowed = contributed.households(rule.community)
        if isinstance(narrowed, Q):
            households = households.filter(narrowed)
        else:
            households = households.filter(pk__in=narrowed.values("pk"))
    return households


def matching(rule: Rule, on: datetime.date | None = None) -> QuerySet:
    """The households (or residents) ``rule`` selects today (or ``on``): a lazy
    queryset without duplicates."""
    on = on or timezone.localdate()
    households = _households(rule, on)
    resident_q = _resident_q(rule, on)
    if rule.target_kind == TargetKind.RESIDENT:
        residents = Resident.objects.filter(community=rule.community)
        if resident_q is not None:
            residents = residents.filter(pk__in=Resident.objects.filter(resident_q).values("pk"))
        return residents.filter(household__in=households.values("pk"))
    if resident_q is not None:
        households = households.filter(
            pk__in=Resident.objects.filter(resident_q).values("household_id")
        )
    return households


def count(rule: Rule, on: datetime.date | None = None) -> int:
    return matching(rule, on).count()
