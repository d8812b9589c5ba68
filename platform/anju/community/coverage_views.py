"""Visit coverage per grid over a period (households visited / households), in the admin
and the API. Both show only the grids the user may see."""

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from anju.permissions.api import RolePermissions, drf_validation_error
from anju.permissions.scope import scope_queryset
from anju.permissions.urlscope import Scope

from .figures import PeriodForm, visit_coverage
from .models import Grid, Visit


def _coverage_for(request, data):
    grids = scope_queryset(Grid.objects.all(), request.user)
    return visit_coverage(grids, data["start"], data["end"])


class VisitCoverageView(WagtailAdminTemplateMixin, TemplateView):
    grid_scope = Scope.GRID
    template_name = "community/admin/visit_coverage.html"
    page_title = _("Visit coverage")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("community.view_visit"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PeriodForm(self.request.GET or {})
        context["form"] = form
        if form.is_valid():
            rows = _coverage_for(self.request, form.cleaned_data)
            context["rows"] = rows
            context["start"], context["end"] = form.cleaned_data["start"], form.cleaned_data["end"]
            households = sum(r.households for r in rows)
            visited = sum(r.visited for r in rows)
            context["total"] = {
                "households": households,
                "visited": visited,
                "percent": round(visited * 100 / households) if households else None,
            }
        return context


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
        rows = _coverage_for(request, params.validated_data)
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
