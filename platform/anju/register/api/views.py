"""Viewsets of the community API. Every one lists and finds rows through the grid scope
(``GridScopedViewSetMixin``) and asks the role's model permissions (``RolePermissions``).

Each list runs a fixed number of queries whatever its length: the related rows its
serializer reads are joined (``select_related``) or fetched in one go
(``prefetch_related``).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anju.community.models import (
    Building,
    Community,
    Grid,
    GridTeamMember,
    Household,
    Resident,
    SpecialGroup,
    Visit,
)
from anju.core import audit
from anju.core.pagination import CappedCountPagination
from anju.permissions.api import GridScopedViewSetMixin, RolePermissions
from anju.permissions.urlscope import Scope

from . import filters, serializers


class CommunityViewSet(GridScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Communities in which the user may see at least one grid."""

    queryset = Community.objects.all()
    serializer_class = serializers.CommunitySerializer


class GridViewSet(GridScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Grids the user may see."""

    queryset = Grid.objects.all()
    serializer_class = serializers.GridSerializer
    filterset_class = filters.GridFilter


class GridTeamMemberViewSet(GridScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The "3个1" team seats of the grids the user may see."""

    queryset = GridTeamMember.objects.select_related("user")
    serializer_class = serializers.GridTeamMemberSerializer
    filterset_class = filters.GridTeamMemberFilter


class SpecialGroupViewSet(viewsets.ReadOnlyModelViewSet):
    """The special-group tags: a list of labels, no grid's data in it."""

    grid_scope = Scope.NO_GRID_DATA
    permission_classes = [RolePermissions]
    queryset = SpecialGroup.objects.all()
    serializer_class = serializers.SpecialGroupSerializer


class BuildingViewSet(GridScopedViewSetMixin, viewsets.ModelViewSet):
    """Buildings of the grids the user may see."""

    queryset = Building.objects.all()
    serializer_class = serializers.BuildingSerializer
    filterset_class = filters.BuildingFilter


class HouseholdViewSet(GridScopedViewSetMixin, viewsets.ModelViewSet):
    """Households of the grids the user may see."""

    queryset = Household.objects.select_related("building")
    serializer_class = serializers.HouseholdSerializer
    filterset_class = filters.HouseholdFilter


class ResidentViewSet(GridScopedViewSetMixin, viewsets.ModelViewSet):
    """Residents of the grids the user may see. ID and phone numbers are masked; the
    whole ID number is written here and read through the audited reveal-id-number."""

    queryset = Resident.objects.select_related("household__building").prefetch_related("groups")
    serializer_class = serializers.ResidentSerializer
    filterset_class = filters.ResidentFilter
    action_permissions = {"reveal_id_number": ["community.view_full_id_number"]}

    @extend_schema(
        summary=_("The whole ID number (audited)"),
        description=_(
            "Answers the resident's whole ID number to people allowed to see it, and "
            "records who looked, when and from where. 404 for a resident outside the "
            "user's grids."
        ),
        request=None,
        responses=serializers.IdNumberSerializer,
    )
    @action(detail=True, methods=["post"], url_path="reveal-id-number")
    def reveal_id_number(self, request, pk=None):
        resident = self.get_object()
        audit.record(request, audit.VIEW_ID_NUMBER, [resident], where="api")
        return Response(serializers.IdNumberSerializer(resident).data)


class VisitPagination(CappedCountPagination):
    # A page's ids first, from the visit_household_order index alone, then its rows.
    ids_first = True


class VisitViewSet(GridScopedViewSetMixin, viewsets.ModelViewSet):
    """Home visits (入户走访) to households of the grids the user may see. The visitor is
    the person who records the visit."""

    queryset = Visit.objects.select_related("household__building", "visitor")
    pagination_class = VisitPagination
    serializer_class = serializers.VisitSerializer
    filterset_class = filters.VisitFilter

    def get_create_kwargs(self) -> dict:
        return {"visitor": self.request.user}


#: (URL prefix under /api/, viewset, basename) for anju.api.urls to register.
ROUTES = (
    ("community/communities", CommunityViewSet, "community-community"),
    ("community/grids", GridViewSet, "community-grid"),
    ("community/team", GridTeamMemberViewSet, "community-team"),
    ("community/special-groups", SpecialGroupViewSet, "community-specialgroup"),
    ("community/buildings", BuildingViewSet, "community-building"),
    ("community/households", HouseholdViewSet, "community-household"),
    ("community/residents", ResidentViewSet, "community-resident"),
    ("community/visits", VisitViewSet, "community-visit"),
)
