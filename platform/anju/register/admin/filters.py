"""The household register's listing filters: every menu lists only what the user sees."""

from __future__ import annotations

import django_filters
from django.db.models import (
    Q,
)
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from anju.community.models import (
    Building,
    Community,
    GridTeamMember,
    Household,
    Resident,
    Visit,
)
from anju.permissions.admin.filters import grid_filter
from anju.permissions.scope import scope_queryset, special_groups_for


def _building_choices(request):
    user = getattr(request, "user", None)
    return scope_queryset(Building.objects.select_related("grid"), user)


def _community_choices(request):
    user = getattr(request, "user", None)
    return scope_queryset(Community.objects.all(), user)


def _group_choices(request):
    return special_groups_for(getattr(request, "user", None))


class _BuildingFilterField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.grid} · {obj.name}"  # several grids may each have a 1号楼


class BuildingFilter(django_filters.ModelChoiceFilter):
    field_class = _BuildingFilterField


def _building_filter(path):
    return BuildingFilter(
        field_name=path,
        queryset=_building_choices,
        label=capfirst(_("building")),
        empty_label=capfirst(_("All")),
    )


class BuildingFilterSet(WagtailFilterSet):
    grid = grid_filter("grid")

    class Meta:
        model = Building
        fields = []


class GridTeamMemberFilterSet(WagtailFilterSet):
    grid = grid_filter("grid")

    class Meta:
        model = GridTeamMember
        fields = ["role"]


class HouseholdFilterSet(WagtailFilterSet):
    # County and township staff's "My communities" links here by community.
    community = django_filters.ModelChoiceFilter(
        field_name="building__grid__community",
        queryset=_community_choices,
        label=capfirst(_("community")),
        empty_label=capfirst(_("All")),
    )
    grid = grid_filter("building__grid")
    building = _building_filter("building")
    special_group = django_filters.ModelChoiceFilter(
        field_name="residents__groups",
        queryset=_group_choices,
        label=capfirst(_("special group")),
        empty_label=capfirst(_("All")),
        distinct=True,
    )

    class Meta:
        model = Household
        fields = []


class ResidentFilterSet(WagtailFilterSet):
    grid = grid_filter("household__building__grid")
    building = _building_filter("household__building")
    special_group = django_filters.ModelChoiceFilter(
        field_name="groups",
        queryset=_group_choices,
        label=capfirst(_("special group")),
        empty_label=capfirst(_("All")),
        distinct=True,
    )
    aged_70_plus = django_filters.BooleanFilter(
        label=capfirst(_("aged 70+")), method="filter_aged_70_plus"
    )

    class Meta:
        model = Resident
        fields = ["gender"]

    def filter_aged_70_plus(self, queryset, name, value):
        if value is None:
            return queryset
        aged = queryset.aged_70_plus()
        return aged if value else queryset.exclude(pk__in=aged.values("pk"))


class VisitFilterSet(WagtailFilterSet):
    grid = grid_filter("household__building__grid")
    building = _building_filter("household__building")
    visited_on = django_filters.DateFromToRangeFilter(
        label=capfirst(_("date")), widget=DateRangePickerWidget
    )
    follow_up_open = django_filters.BooleanFilter(
        label=capfirst(_("follow-up open")), method="filter_follow_up_open"
    )

    class Meta:
        model = Visit
        fields = ["channel", "follow_up_needed"]

    def filter_follow_up_open(self, queryset, name, value):
        open_ = Q(follow_up_needed=True, follow_up_done_at__isnull=True)
        if value is None:
            return queryset
        return queryset.filter(open_) if value else queryset.exclude(open_)
