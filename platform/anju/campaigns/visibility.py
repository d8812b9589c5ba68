"""Who sees which campaigns and targets — the one filter every view, API and export uses.

A target lies in a grid: grid workers and representatives see their grids' targets, the
committee its community's (``anju.permissions.scope``). Service staff see none, except
the targets of a campaign they run.
"""

from django.db.models import Q, QuerySet

from anju.community.models import Community
from anju.permissions.scope import scope_queryset, visible_grids

from .models import Campaign, Target, TargetAnswer


def _is_superuser(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_superuser)


def visible_campaigns(user) -> QuerySet:
    if _is_superuser(user):
        return Campaign.objects.all()
    if user is None or not user.is_authenticated or not user.has_perm("campaigns.view_campaign"):
        return Campaign.objects.none()
    communities = scope_queryset(Community.objects.all(), user).values("pk")
    return Campaign.objects.filter(Q(community__in=communities) | Q(owner=user))


def visible_targets(user) -> QuerySet:
    if _is_superuser(user):
        return Target.objects.all()
    if user is None or not user.is_authenticated or not user.has_perm("campaigns.view_target"):
        return Target.objects.none()
    return Target.objects.filter(
        Q(grid__in=visible_grids(user).values("pk")) | Q(round__campaign__owner=user)
    )


def visible_answers(user) -> QuerySet:
    return TargetAnswer.objects.filter(target__in=visible_targets(user).values("pk"))


def may_run(user, campaign) -> bool:
    """Start, refresh and close rounds, reassign: the committee, or whoever runs it."""
    if _is_superuser(user):
        return True
    if not user.has_perm("campaigns.run_campaign") and campaign.owner_id != user.pk:
        return False
    return visible_campaigns(user).filter(pk=campaign.pk).exists()
