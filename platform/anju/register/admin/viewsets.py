"""The "Community" menu: one grid-scoped viewset per register model."""

from __future__ import annotations

from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn, Column, StatusFlagColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup

from anju.community.models import (
    Building,
    Grid,
    GridTeamMember,
    Household,
    Resident,
    SpecialGroup,
    Visit,
)
from anju.permissions.admin.viewsets import GridScopedModelViewSet
from anju.permissions.urlscope import Scope

from .filters import (
    BuildingFilterSet,
    GridTeamMemberFilterSet,
    HouseholdFilterSet,
    ResidentFilterSet,
    VisitFilterSet,
)
from .forms import (
    BuildingForm,
    GridForm,
    GridTeamMemberForm,
    HouseholdForm,
    ResidentForm,
    SpecialGroupForm,
    VisitForm,
)
from .views import (
    BuildingIndexView,
    GridIndexView,
    GridTeamMemberIndexView,
    HouseholdIndexView,
    HouseholdInspectView,
    ResidentIndexView,
    ResidentInspectView,
    RevealIdNumberView,
    SpecialGroupIndexView,
    SpecialGroupInspectView,
    VisitIndexView,
    group_names,
)

GRID_SCOPED_MODELS = (Grid, GridTeamMember, Building, Household, Resident, Visit)


class GridViewSet(GridScopedModelViewSet):
    model = Grid
    icon = "site"
    menu_order = 100
    index_view_class = GridIndexView
    form_class = GridForm
    select_related = ("community",)
    list_display = [
        "name",
        "number",
        "community",
        Column("building_count", label=capfirst(_("buildings")), sort_key="building_count"),
        Column("household_count", label=capfirst(_("households")), sort_key="household_count"),
    ]
    search_fields = ["name"]
    inspect_view_fields = ["community", "number", "name"]


class GridTeamMemberViewSet(GridScopedModelViewSet):
    model = GridTeamMember
    icon = "group"
    menu_order = 200
    index_view_class = GridTeamMemberIndexView
    form_class = GridTeamMemberForm
    filterset_class = GridTeamMemberFilterSet
    select_related = ("grid", "user")
    list_display = ["__str__", "grid", "role", "user"]
    search_fields = ["user__first_name", "user__last_name", "user__username"]
    inspect_view_fields = ["grid", "role", "user", "phone"]
    list_export = ["id", "grid", "role", "user", "phone"]
    export_headings = {
        "id": capfirst(_("ID")),
        "grid": capfirst(_("grid")),
        "role": capfirst(_("role")),
        "user": capfirst(_("user")),
        "phone": capfirst(_("work phone")),
    }
    export_filename = "grid-teams"


class BuildingViewSet(GridScopedModelViewSet):
    model = Building
    icon = "home"
    menu_order = 300
    index_view_class = BuildingIndexView
    form_class = BuildingForm
    filterset_class = BuildingFilterSet
    copy_view_enabled = True
    select_related = ("grid",)
    list_display = [
        "name",
        "grid",
        "sort_order",
        Column("household_count", label=capfirst(_("households")), sort_key="household_count"),
    ]
    search_fields = ["name"]
    inspect_view_fields = ["grid", "name", "sort_order"]
    list_export = ["id", "name", "grid", "sort_order", "household_count"]
    export_headings = {
        "id": capfirst(_("ID")),
        "name": capfirst(_("name")),
        "grid": capfirst(_("grid")),
        "sort_order": capfirst(_("order")),
        "household_count": capfirst(_("households")),
    }
    export_filename = "buildings"


class HouseholdViewSet(GridScopedModelViewSet):
    model = Household
    icon = "home"
    menu_order = 400
    index_view_class = HouseholdIndexView
    inspect_view_class = HouseholdInspectView
    form_class = HouseholdForm
    filterset_class = HouseholdFilterSet
    select_related = ("building__grid", "head")
    list_display = [
        "__str__",
        Column(
            "grid", label=capfirst(_("grid")), accessor="building.grid", sort_key="building__grid"
        ),
        Column("head", label=capfirst(_("head of household")), accessor="head"),
        Column("resident_count", label=capfirst(_("residents")), sort_key="resident_count"),
        Column("last_visited_on", label=capfirst(_("last visit")), sort_key="last_visited_on"),
    ]
    search_fields = ["building__name", "unit", "room"]  # and residents' names, see the view
    inspect_view_fields = ["address", "grid", "head", "note"]
    list_export = ["id", "address", "grid", "unit", "room", "head_name", "resident_count", "note"]
    export_headings = {
        "id": capfirst(_("ID")),
        "address": capfirst(_("address")),
        "grid": capfirst(_("grid")),
        "unit": capfirst(_("unit")),
        "room": capfirst(_("room")),
        "head_name": capfirst(_("head of household")),
        "resident_count": capfirst(_("residents")),
        "note": capfirst(_("note")),
    }
    export_filename = "households"


class ResidentViewSet(GridScopedModelViewSet):
    model = Resident
    icon = "user"
    menu_order = 500
    index_view_class = ResidentIndexView
    inspect_view_class = ResidentInspectView
    form_class = ResidentForm
    filterset_class = ResidentFilterSet
    select_related = ("household__building__grid",)
    special_groups_path = "groups"
    list_display = [
        "name",
        Column("household", label=capfirst(_("household")), accessor="household.address"),
        Column("grid", label=capfirst(_("grid")), accessor="household.building.grid"),
        "gender",
        Column("age", label=capfirst(_("age"))),
        Column("masked_id_number", label=capfirst(_("ID number"))),
        Column("masked_phone", label=capfirst(_("phone"))),
        Column("special_groups", label=capfirst(_("special groups")), accessor=group_names),
        StatusFlagColumn(
            "is_aged_70_plus", label=capfirst(_("aged 70+")), true_label=capfirst(_("aged 70+"))
        ),
    ]
    search_fields = ["name"]
    inspect_view_fields = [
        "name",
        "household",
        "relation",
        "gender",
        "birth_date",
        "age",
        "is_aged_70_plus",
        "masked_id_number",
        "masked_phone",
        "hukou_township",
        "groups",
        "note",
    ]
    list_export = [
        "id",
        "name",
        "gender",
        "birth_date",
        "age",
        "masked_id_number",
        "masked_phone",
        "household",
        "grid",
        "relation",
        "special_groups",
    ]
    export_headings = {
        "id": capfirst(_("ID")),
        "name": capfirst(_("name")),
        "gender": capfirst(_("gender")),
        "birth_date": capfirst(_("birth date")),
        "age": capfirst(_("age")),
        "masked_id_number": capfirst(_("ID number")),
        "masked_phone": capfirst(_("phone")),
        "household": capfirst(_("household")),
        "grid": capfirst(_("grid")),
        "relation": capfirst(_("relation to the head")),
        "special_groups": capfirst(_("special groups")),
    }
    export_filename = "residents"

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            reveal_id_url_name=self.get_url_name("reveal_id"), **kwargs
        )

    @property
    def reveal_id_view(self):
        return self.construct_view(
            RevealIdNumberView,
            index_url_name=self.get_url_name("index"),
            inspect_url_name=self.get_url_name("inspect"),
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("reveal-id/<int:pk>/", self.reveal_id_view, name="reveal_id"),
        ]


class VisitViewSet(GridScopedModelViewSet):
    model = Visit
    icon = "calendar"
    menu_order = 600
    index_view_class = VisitIndexView
    form_class = VisitForm
    filterset_class = VisitFilterSet
    copy_view_enabled = True
    select_related = ("household__building__grid", "visitor")
    list_display = [
        "__str__",
        Column("grid", label=capfirst(_("grid")), accessor="household.building.grid"),
        Column("visited_on", label=capfirst(_("date")), sort_key="visited_on"),
        "visitor",
        "channel",
        BooleanColumn("follow_up_needed", label=capfirst(_("follow-up needed"))),
        Column("follow_up_due", label=capfirst(_("follow up by")), sort_key="follow_up_due"),
    ]
    search_fields = [
        "household__building__name",
        "household__room",
        "basic_situation",
        "family_matters",
        "difficulties",
        "suggestions",
    ]
    inspect_view_fields = [
        "household",
        "visited_on",
        "visitor",
        "channel",
        "basic_situation",
        "family_matters",
        "difficulties",
        "suggestions",
        "follow_up_needed",
        "follow_up_due",
        "follow_up_done_at",
    ]
    list_export = [
        "id",
        "household",
        "grid",
        "visited_on",
        "visitor",
        "channel",
        "basic_situation",
        "family_matters",
        "difficulties",
        "suggestions",
        "follow_up_needed",
        "follow_up_due",
    ]
    export_headings = {
        "id": capfirst(_("ID")),
        "household": capfirst(_("household")),
        "grid": capfirst(_("grid")),
        "visited_on": capfirst(_("date")),
        "visitor": capfirst(_("visited by")),
        "channel": capfirst(_("channel")),
        "basic_situation": capfirst(_("basic situation")),
        "family_matters": capfirst(_("family matters")),
        "difficulties": capfirst(_("difficulties and needs")),
        "suggestions": capfirst(_("opinions and suggestions")),
        "follow_up_needed": capfirst(_("follow-up needed")),
        "follow_up_due": capfirst(_("follow up by")),
    }
    export_filename = "visits"


class SpecialGroupViewSet(GridScopedModelViewSet):
    """Special-group tags belong to no grid: the list of tags holds no grid data. View-only
    roles do not see the sensitive ones."""

    model = SpecialGroup
    grid_scope = Scope.NO_GRID_DATA
    icon = "tag"
    menu_order = 700
    index_view_class = SpecialGroupIndexView
    inspect_view_class = SpecialGroupInspectView
    form_class = SpecialGroupForm
    list_display = [
        "name",
        "code",
        BooleanColumn("built_in", label=capfirst(_("built in"))),
        BooleanColumn("sensitive", label=capfirst(_("sensitive"))),
    ]
    search_fields = ["name", "code"]
    inspect_view_fields = ["name", "code", "built_in", "sensitive"]


VIEWSETS = (
    GridViewSet(),
    GridTeamMemberViewSet(),
    BuildingViewSet(),
    HouseholdViewSet(),
    ResidentViewSet(),
    VisitViewSet(),
    SpecialGroupViewSet(),
)
VIEWSETS_BY_MODEL = {viewset.model: viewset for viewset in VIEWSETS}


class CommunityViewSetGroup(ModelViewSetGroup):
    menu_label = _("Community")
    menu_icon = "group"
    menu_order = 200
    items = VIEWSETS
