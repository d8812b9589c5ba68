"""Query filters of the staff case list (django-filter). They only narrow what
``visibility.visible_cases`` already allows; related rows are filtered by plain id or
slug, never by a model choice, so a filter never tells apart rows the user may not see.
"""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from anju.register.api.filters import IdFilter

from ..models import Case, Level, Status


@extend_schema_field(OpenApiTypes.STR)
class AssigneeFilter(filters.CharFilter):
    """A user's id, "me", or "none" for cases nobody holds."""


class CaseFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Status.choices, label=_("status"))
    service = filters.CharFilter(field_name="service__slug", label=_("service (slug)"))
    grid = IdFilter(field_name="grid", label=_("grid"))
    level = filters.ChoiceFilter(choices=Level.choices, label=_("level"))
    assignee = AssigneeFilter(
        method="filter_assignee", label=_("assignee (a user's id, “me” or “none”)")
    )
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    on_behalf = filters.BooleanFilter(label=_("filed on the resident's behalf"))
    created_from = filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("filed on or after")
    )
    created_to = filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("filed on or before")
    )

    class Meta:
        model = Case
        fields = [
            "status",
            "service",
            "grid",
            "level",
            "assignee",
            "overdue",
            "on_behalf",
            "created_from",
            "created_to",
        ]

    def filter_assignee(self, queryset, name, value: str):
        value = value.strip().lower()
        if value == "me":
            return queryset.filter(assignee=self.request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset.none()

    def filter_overdue(self, queryset, name, value: bool):
        overdue = queryset.overdue()
        if value:
            return overdue
        return queryset.exclude(pk__in=overdue.values("pk"))
