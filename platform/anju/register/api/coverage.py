"""Visit coverage per grid over a period (households visited / households) over the API;
only the grids the user may see. The admin page is anju.register.admin.coverage."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from anju.community.figures import PeriodForm
from anju.community.models import Visit
from anju.permissions.api import RolePermissions, drf_validation_error
from anju.permissions.urlscope import Scope

from ..admin.coverage import coverage_for


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs):
        form = PeriodForm(
            {k: v.isoformat() for k, v in attrs.items()}  # the same rule as the admin form
        )
        if not form.is_valid():
            from django.core.exceptions import ValidationError

            raise drf_validation_error(ValidationError(form.errors.get("__all__", form.errors)))
        return form.cleaned_data


class VisitCoverageAPIView(APIView):
    """Visit coverage per grid: households visited in the period / households."""

    grid_scope = Scope.GRID
    permission_classes = [RolePermissions]
    queryset = Visit.objects.none()  # for RolePermissions: view_visit is required

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start", str, description="First day (YYYY-MM-DD); default: the 1st of this month."
            ),
            OpenApiParameter("end", str, description="Last day (YYYY-MM-DD); default: today."),
        ],
        responses=inline_serializer(
            "VisitCoverage",
            {
                "start": serializers.DateField(),
                "end": serializers.DateField(),
                "grids": inline_serializer(
                    "GridCoverage",
                    {
                        "grid": serializers.IntegerField(),
                        "name": serializers.CharField(),
                        "households": serializers.IntegerField(),
                        "visited": serializers.IntegerField(),
                        "share": serializers.FloatField(allow_null=True),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request):
        params = PeriodSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = coverage_for(request, params.validated_data)
        return Response(
            {
                "start": params.validated_data["start"],
                "end": params.validated_data["end"],
                "grids": [
                    {
                        "grid": r.grid.pk,
                        "name": r.grid.name,
                        "households": r.households,
                        "visited": r.visited,
                        "share": r.share,
                    }
                    for r in rows
                ],
            }
        )
