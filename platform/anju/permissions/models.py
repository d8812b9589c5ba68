"""Direct-foreign-key object-permission tables for grids (django-guardian): a lookup of
"which grids may this user see" is one join, not a generic-relation scan."""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from anju.community.models import Community, Grid


class GridUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Grid, on_delete=models.CASCADE)


class GridGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Grid, on_delete=models.CASCADE)


class CommunityUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Community, on_delete=models.CASCADE)


class CommunityGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Community, on_delete=models.CASCADE)


# Partner organisations and hand-overs (anju.permissions.partners).
from .partners import Handover, PartnerOrganisation  # noqa: E402, F401
