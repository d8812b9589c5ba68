"""Seats on a grid team → django-guardian object permissions, kept in step.

Whenever a seat is created, changed or removed, the grants of that grid (and of its
community, for committee seats) are recomputed from the seats that exist: grants follow
the team, and a person who leaves the team loses access at once.
"""

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from anju.community.models import Community, Grid, GridTeamMember, TeamRole

from .models import CommunityUserObjectPermission, GridUserObjectPermission


def _permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="community", codename=codename)


def _sync(model, obj_id: int, permission: Permission, wanted_user_ids: set[int]) -> None:
    current = set(
        model.objects.filter(content_object_id=obj_id, permission=permission).values_list(
            "user_id", flat=True
        )
    )
    model.objects.filter(
        content_object_id=obj_id, permission=permission, user_id__in=current - wanted_user_ids
    ).delete()
    model.objects.bulk_create(
        [
            model(content_object_id=obj_id, permission=permission, user_id=user_id)
            for user_id in wanted_user_ids - current
        ]
    )


@transaction.atomic
def sync_grid(grid_id: int) -> None:
    """Give every seat holder of the grid ``view_grid`` on it, and nobody else."""
    wanted = set(GridTeamMember.objects.filter(grid_id=grid_id).values_list("user_id", flat=True))
    _sync(GridUserObjectPermission, grid_id, _permission("view_grid"), wanted)


@transaction.atomic
def sync_community(community_id: int) -> None:
    """Give every committee seat holder of any grid of the community
    ``view_whole_community`` on it, and nobody else."""
    wanted = set(
        GridTeamMember.objects.filter(
            grid__community_id=community_id, role=TeamRole.COMMITTEE
        ).values_list("user_id", flat=True)
    )
    _sync(CommunityUserObjectPermission, community_id, _permission("view_whole_community"), wanted)


def sync_all() -> None:
    for grid_id in Grid.objects.values_list("pk", flat=True):
        sync_grid(grid_id)
    for community_id in Community.objects.values_list("pk", flat=True):
        sync_community(community_id)


@receiver(pre_save, sender=GridTeamMember, dispatch_uid="anju-seat-before")
def _remember_old_grid(sender, instance, **kwargs):
    instance._old_grid_id = (
        GridTeamMember.objects.filter(pk=instance.pk).values_list("grid_id", flat=True).first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=GridTeamMember, dispatch_uid="anju-seat-saved")
@receiver(post_delete, sender=GridTeamMember, dispatch_uid="anju-seat-deleted")
def _seat_changed(sender, instance, **kwargs):
    grid_ids = {instance.grid_id, getattr(instance, "_old_grid_id", None)} - {None}
    for grid_id in grid_ids:
        sync_grid(grid_id)
    for community_id in set(
        Grid.objects.filter(pk__in=grid_ids).values_list("community_id", flat=True)
    ):
        sync_community(community_id)
