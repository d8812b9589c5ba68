"""Wagtail's per-instance permission checks, made aware of the grid scope."""

from __future__ import annotations

from django.db.models import (
    Q,
)
from wagtail.permission_policies import ModelPermissionPolicy

from anju.community.models import (
    Grid,
)
from anju.permissions.scope import can_see, scope_queryset


class GridScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions say what a role may do to a kind of record; the instance checks
    additionally require the record to lie in a grid the user may see."""

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and can_see(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and can_see(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        return scope_queryset(super().instances_user_has_any_permission_for(user, actions), user)

    def users_with_any_permission_for_instance(self, actions, instance):
        from anju.permissions.models import (
            CommunityGroupObjectPermission,
            CommunityUserObjectPermission,
            GridGroupObjectPermission,
            GridUserObjectPermission,
        )

        model = type(instance)
        grid_ids = model._default_manager.filter(pk=instance.pk).values(model.grid_path)
        community_ids = Grid.objects.filter(pk__in=grid_ids).values("community_id")
        grid_perm = Q(content_object_id__in=grid_ids, permission__codename="view_grid")
        community_perm = Q(
            content_object_id__in=community_ids, permission__codename="view_whole_community"
        )
        can_see_it = (
            Q(is_superuser=True)
            | Q(pk__in=GridUserObjectPermission.objects.filter(grid_perm).values("user_id"))
            | Q(
                pk__in=CommunityUserObjectPermission.objects.filter(community_perm).values(
                    "user_id"
                )
            )
            | Q(groups__in=GridGroupObjectPermission.objects.filter(grid_perm).values("group_id"))
            | Q(
                groups__in=CommunityGroupObjectPermission.objects.filter(community_perm).values(
                    "group_id"
                )
            )
        )
        return self.users_with_any_permission(actions).filter(can_see_it).distinct()


#: The models whose records belong to a grid, each with its scope-aware policy
