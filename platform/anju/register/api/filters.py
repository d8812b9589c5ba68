"""Query filters for the community API (django-filter).

Related rows are filtered by plain id (``?grid=3``), never by a model choice: a choice
field would answer "not a valid choice" for an id that does not exist and an empty list
for one in another grid, telling apart rows the user may not know about.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from anju.community.models import (
    Building,
    Grid,
    GridTeamMember,
    Household,
    Resident,
    TeamRole,
    Visit,
)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """Rows whose ``field_name`` points at the row with this id."""

    field_class = forms.IntegerField


class GridFilter(filters.FilterSet):
    community = IdFilter(field_name="community", label=_("community"))

    class Meta:
        model = Grid
        fields = ["community"]


class GridTeamMemberFilter(filters.FilterSet):
    grid = IdFilter(field_name="grid", label=_("grid"))
    user = IdFilter(field_name="user", label=_("person"))
    role = filters.ChoiceFilter(choices=TeamRole.choices, label=_("role"))

    class Meta:
        model = GridTeamMember
        fields = ["grid", "user", "role"]


class BuildingFilter(filters.FilterSet):
    grid = IdFilter(field_name="grid", label=_("grid"))

    class Meta:
        model = Building
        fields = ["grid"]


class HouseholdFilter(filters.FilterSet):
    grid = IdFilter(field_name="building__grid", label=_("grid"))
    building = IdFilter(field_name="building", label=_("building"))

    class Meta:
        model = Household
        fields = ["grid", "building"]


class ResidentFilter(filters.FilterSet):
    grid = IdFilter(field_name="household__building__grid", label=_("grid"))
    building = IdFilter(field_name="household__building", label=_("building"))
    household = IdFilter(field_name="household", label=_("household"))
    group = filters.CharFilter(
        field_name="groups__code", distinct=True, label=_("special group (code)")
    )
    aged_70_plus = filters.BooleanFilter(method="filter_aged_70_plus", label=_("aged 70 or over"))
    search = filters.CharFilter(method="filter_search", label=_("name contains"))

    class Meta:
        model = Resident
        fields = ["grid", "building", "household", "group", "gender", "relation"]

    def filter_aged_70_plus(self, queryset, name, value: bool):
        aged = queryset.aged_70_plus()
        if value:
            return aged
        return queryset.exclude(pk__in=aged.values("pk"))

    def filter_search(self, queryset, name, value: str):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset


class VisitFilter(filters.FilterSet):
    grid = IdFilter(field_name="household__building__grid", label=_("grid"))
    household = IdFilter(field_name="household", label=_("household"))
    visited_on = filters.DateFromToRangeFilter(label=_("visited between"))
    follow_up_due = filters.DateFromToRangeFilter(label=_("follow-up due between"))
    follow_up_open = filters.BooleanFilter(
        method="filter_follow_up_open", label=_("follow-up needed and not done yet")
    )

    class Meta:
        model = Visit
        fields = ["grid", "household", "channel", "follow_up_needed"]

    def filter_follow_up_open(self, queryset, name, value: bool):
        open_ = Q(follow_up_needed=True, follow_up_done_at__isnull=True)
        return queryset.filter(open_) if value else queryset.exclude(open_)
