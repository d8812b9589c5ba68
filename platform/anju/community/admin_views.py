"""The staff interface (Wagtail admin) for the community records, scoped to grids.

Every view here answers only with rows in grids the user may see. That is done once:

* ``GridScopedQuerysetMixin.scoped()`` narrows any queryset with
  :func:`anju.permissions.scope.scope_queryset`;
* ``ScopedIndexView`` uses it for the listing (and so for search, filters and exports);
* ``ScopedObjectMixin`` uses it to fetch the object of every single-object view (edit,
  inspect, delete, history, usage, copy) while the view is set up, before any permission
  check: an id outside the user's grids is a 404 whatever the role;
* ``GridScopedPermissionPolicy`` makes Wagtail's per-instance checks scope-aware too;
* ``ScopedModelForm`` limits every foreign-key choice to visible rows, so an object
  cannot be moved into a grid the user may not touch.

Each view class declares ``grid_scope`` so the deny-by-default middleware
(anju.permissions.urlscope) lets grid workers and resident representatives in.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    ProtectedError,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column, StatusFlagColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.coreutils import multigetattr
from wagtail.permission_policies import ModelPermissionPolicy

from anju.core import audit
from anju.permissions.scope import can_see, is_grid_restricted, scope_queryset, visible_grids
from anju.permissions.urlscope import Scope

from .idnumbers import ID_RE, normalise_id_number
from .models import (
    Building,
    Grid,
    GridTeamMember,
    Household,
    Resident,
    SpecialGroup,
    Visit,
    id_number_digest,
)
from .panels import render_household_panels

VIEW_FULL_ID_NUMBER = "community.view_full_id_number"
#: How many rows of each list the "My grids" page shows per grid.
MY_GRIDS_LIST_CAP = 20
#: Follow-ups due within this many days count as due.
FOLLOW_UP_HORIZON_DAYS = 7


# --- who sees what --------------------------------------------------------------------


def can_see_sensitive_groups(user) -> bool:
    """Sensitive special-group tags (low-income, ...) are shown to the people who handle
    residents' cases, that is who may change residents (committee, grid workers), and
    not to view-only roles such as resident representatives."""
    return bool(user and user.is_authenticated and user.has_perm("community.change_resident"))


def special_groups_for(user):
    groups = SpecialGroup.objects.all()
    return groups if can_see_sensitive_groups(user) else groups.filter(sensitive=False)


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
#: (registered by wagtail_hooks with wagtail.permissions.register_permission_policy).
GRID_SCOPED_MODELS = (Grid, GridTeamMember, Building, Household, Resident, Visit)


# --- shared view machinery ------------------------------------------------------------


class GridScopedQuerysetMixin:
    """The one place a view narrows a queryset to the user's grids."""

    grid_scope = Scope.GRID
    #: Set from the viewset: relations to fetch with every object of this model.
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    #: Path of a many-to-many to SpecialGroup to prefetch limited to the groups the user
    #: may see (sensitive tags are left out for view-only roles).
    special_groups_path: str | None = None

    def scoped(self, queryset):
        user = self.request.user
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        if self.special_groups_path:
            queryset = queryset.prefetch_related(
                Prefetch(self.special_groups_path, queryset=special_groups_for(user))
            )
        if hasattr(queryset.model, "grid_path"):
            return scope_queryset(queryset, user)
        if self.grid_scope == Scope.GRID:
            raise ImproperlyConfigured(
                f"{type(self).__name__} declares Scope.GRID but {queryset.model.__name__} "
                "has no grid_path"
            )
        return queryset


class ScopedIndexView(GridScopedQuerysetMixin, generic.IndexView):
    """The listing (and its search, filters and spreadsheet export) of visible rows."""

    #: Extra per-row values for the spreadsheet export: {field name: callable(row)}.
    export_callables: dict = {}

    def get_base_queryset(self):
        return self.annotate_queryset(self.scoped(super().get_base_queryset()))

    def annotate_queryset(self, queryset):
        return queryset

    def to_row_dict(self, item):
        row = {}
        for field in self.list_export:
            if field in self.export_callables:
                row[field] = self.export_callables[field](item)
            else:
                row[field] = multigetattr(item, field)
        return row


class ScopedObjectMixin(GridScopedQuerysetMixin):
    """Fetches the object of a single-object view from the scoped queryset while the
    view is set up, before the permission checks run in dispatch(): a row outside the
    user's grids is a 404 (never a 200 or a 500), the same answer for every role."""

    _scoped_object = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.get_object()

    def get_object_queryset(self):
        return self.scoped(self.model._default_manager.all())

    def get_object(self, queryset=None):
        if self._scoped_object is None:
            pk = unquote(str(self.kwargs[self.pk_url_kwarg]))
            self._scoped_object = get_object_or_404(self.get_object_queryset(), pk=pk)
        return self._scoped_object


class ScopedCreateView(GridScopedQuerysetMixin, generic.CreateView):
    pass


class ScopedEditView(ScopedObjectMixin, generic.EditView):
    pass


class ScopedCopyView(ScopedObjectMixin, generic.CopyView):
    pass


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _(
                    "%(object)s cannot be deleted: other records still belong to it. "
                    "Move or delete them first."
                )
                % {"object": capfirst(str(self.object))},
            )
            return self.render_to_response(self.get_context_data(form=form))


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    #: {field name: label} for properties and for labels better than the verbose name.
    field_labels: dict = {}

    def get_field_label(self, field_name, field):
        if field_name in self.field_labels:
            return capfirst(self.field_labels[field_name])
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if value is None or value == "":
            return "-"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return value


class ScopedHistoryView(ScopedObjectMixin, history.HistoryView):
    pass


class ScopedUsageView(ScopedObjectMixin, usage.UsageView):
    pass


# --- forms ----------------------------------------------------------------------------


class ScopedModelForm(WagtailAdminModelForm):
    """Limits each foreign key named in ``scoped_fields`` to rows the user may see; a
    choice outside them is refused as an invalid choice, never saved."""

    scoped_fields: tuple[str, ...] = ()
    #: {field name: select_related paths} for readable choice labels in one query.
    choice_select_related: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.scoped_fields:
            field = self.fields.get(name)
            if field is None:
                continue
            queryset = field.queryset
            if name in self.choice_select_related:
                queryset = queryset.select_related(*self.choice_select_related[name])
            field.queryset = scope_queryset(queryset, self.for_user)

    class Meta(WagtailAdminModelForm.Meta):
        pass


class GridForm(ScopedModelForm):
    scoped_fields = ("community",)

    class Meta(ScopedModelForm.Meta):
        model = Grid
        fields = ["community", "number", "name"]


class GridTeamMemberForm(ScopedModelForm):
    scoped_fields = ("grid",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(
            is_active=True, is_staff=True
        )

    class Meta(ScopedModelForm.Meta):
        model = GridTeamMember
        fields = ["grid", "role", "user", "phone"]


class BuildingForm(ScopedModelForm):
    scoped_fields = ("grid",)

    class Meta(ScopedModelForm.Meta):
        model = Building
        fields = ["grid", "name", "sort_order"]


class BuildingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.grid} · {obj.name}"


class HouseholdForm(ScopedModelForm):
    scoped_fields = ("building",)
    choice_select_related = {"building": ("grid",)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["head"].queryset = self.instance.residents.all()
        else:  # nobody lives in a household that does not exist yet
            del self.fields["head"]

    class Meta(ScopedModelForm.Meta):
        model = Household
        fields = ["building", "unit", "room", "head", "note"]
        field_classes = {"building": BuildingChoiceField}


class ResidentForm(ScopedModelForm):
    """The ID number is typed when a resident is registered. Afterwards the form never
    sends the whole number to the browser: users who may see whole numbers
    (``view_full_id_number``) get an empty field that replaces the number if filled in,
    others no field at all. Looking at the number is the audited "show" button."""

    scoped_fields = ("household",)
    choice_select_related = {"household": ("building",)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = special_groups_for(self.for_user)
        if self.instance.pk:
            if self.for_user is None or not self.for_user.has_perm(VIEW_FULL_ID_NUMBER):
                del self.fields["id_number"]
            else:
                field = self.fields["id_number"]
                field.required = False
                field.widget.attrs["placeholder"] = self.instance.masked_id_number
                field.help_text = _(
                    "Leave empty to keep the current number (%(masked)s); type the whole "
                    "number to replace it."
                ) % {"masked": self.instance.masked_id_number}
                self.initial["id_number"] = ""

    def clean_id_number(self):
        value = normalise_id_number(self.cleaned_data.get("id_number"))
        if not value and self.instance.pk:
            return self.instance.id_number
        return value

    class Meta(ScopedModelForm.Meta):
        model = Resident
        fields = [
            "household",
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "relation",
            "groups",
            "note",
        ]
        widgets = {"groups": forms.CheckboxSelectMultiple}


class VisitForm(ScopedModelForm):
    scoped_fields = ("household",)
    choice_select_related = {"household": ("building",)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        visitors = get_user_model().objects.filter(
            Q(pk=getattr(user, "pk", None))
            | Q(is_active=True, grid_seats__grid__in=visible_grids(user).values("pk"))
        )
        if self.instance.pk and self.instance.visitor_id:
            visitors = visitors | get_user_model().objects.filter(pk=self.instance.visitor_id)
        self.fields["visitor"].queryset = visitors.distinct()
        if not self.instance.pk and user is not None:
            self.fields["visitor"].initial = user.pk

    class Meta(ScopedModelForm.Meta):
        model = Visit
        fields = [
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


class SpecialGroupForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.built_in:
            self.fields["code"].disabled = True

    class Meta(WagtailAdminModelForm.Meta):
        model = SpecialGroup
        fields = ["name", "code", "sensitive"]


# --- filters --------------------------------------------------------------------------


def _grid_choices(request):
    return visible_grids(getattr(request, "user", None)).select_related(None)


def _building_choices(request):
    user = getattr(request, "user", None)
    return scope_queryset(Building.objects.select_related("grid"), user)


def _group_choices(request):
    return special_groups_for(getattr(request, "user", None))


def _grid_filter(path):
    return django_filters.ModelChoiceFilter(
        field_name=path,
        queryset=_grid_choices,
        label=capfirst(_("grid")),
        empty_label=capfirst(_("All")),
    )


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
    grid = _grid_filter("grid")

    class Meta:
        model = Building
        fields = []


class GridTeamMemberFilterSet(WagtailFilterSet):
    grid = _grid_filter("grid")

    class Meta:
        model = GridTeamMember
        fields = ["role"]


class HouseholdFilterSet(WagtailFilterSet):
    grid = _grid_filter("building__grid")
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
    grid = _grid_filter("household__building__grid")
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
    grid = _grid_filter("household__building__grid")
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


# --- columns --------------------------------------------------------------------------


def _group_names(resident) -> str:
    # resident.groups is prefetched with only the groups the user may see
    return ", ".join(group.name for group in resident.groups.all())


def _count_of(model, path_to_outer: str, **filters):
    """A correlated COUNT(*) of ``model`` rows pointing at the outer row."""
    counted = (
        model._default_manager.filter(**{path_to_outer: OuterRef("pk")}, **filters)
        .order_by()
        .values(path_to_outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


class GridIndexView(ScopedIndexView):
    def annotate_queryset(self, queryset):
        return queryset.annotate(
            building_count=_count_of(Building, "grid"),
            household_count=_count_of(Household, "building__grid"),
        )


class BuildingIndexView(ScopedIndexView):
    def annotate_queryset(self, queryset):
        return queryset.annotate(household_count=_count_of(Household, "building"))


class HouseholdIndexView(ScopedIndexView):
    def annotate_queryset(self, queryset):
        return queryset.annotate(
            resident_count=_count_of(Resident, "household"),
            last_visited_on=Subquery(
                Visit.objects.filter(household=OuterRef("pk"))
                .order_by()
                .values("household")
                .annotate(last=Max("visited_on"))
                .values("last")
            ),
        )

    def search_queryset(self, queryset):
        """Address parts, or the name of anyone living there."""
        if not self.is_searching:
            return queryset
        q = self.search_query
        lives_here = Resident.objects.filter(household=OuterRef("pk"), name__icontains=q)
        return queryset.filter(
            Q(building__name__icontains=q)
            | Q(unit__icontains=q)
            | Q(room__icontains=q)
            | Q(Exists(lives_here))
        )

    export_callables = {
        "grid": lambda h: h.building.grid.name,
        "head_name": lambda h: h.head.name if h.head_id else "",
    }


class ResidentIndexView(ScopedIndexView):
    def search_queryset(self, queryset):
        """By name (substring, so 小明 finds 王小明), or by a whole ID number, which is
        matched through its keyed digest since the number itself is encrypted."""
        if not self.is_searching:
            return queryset
        number = normalise_id_number(self.search_query)
        if ID_RE.match(number):
            return queryset.filter(id_number_digest=id_number_digest(number))
        return super().search_queryset(queryset)

    export_callables = {
        "gender": lambda r: r.get_gender_display(),
        "relation": lambda r: r.get_relation_display(),
        "special_groups": _group_names,
        "grid": lambda r: r.household.building.grid.name,
        "household": lambda r: r.household.address,
    }


class VisitIndexView(ScopedIndexView):
    pass


class HouseholdInspectView(ScopedInspectView):
    template_name = "community/admin/household_inspect.html"
    field_labels = {"address": _("address"), "grid": _("grid")}
    visits_shown = 20

    def get_grid_display_value(self):
        return self.object.building.grid

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        household = self.object
        user = self.request.user
        residents = household.residents.prefetch_related(
            Prefetch("groups", queryset=special_groups_for(user))
        ).order_by("id")
        visits = household.visits.select_related("visitor")
        context["residents"] = list(residents)
        context["visits"] = list(visits[: self.visits_shown])
        context["visit_count"] = household.visits.count()
        context["resident_url_name"] = _url_name_for(Resident, user)
        context["visit_url_name"] = _url_name_for(Visit, user)
        context["household_panels"] = render_household_panels(household, self.request)
        return context


class ResidentInspectView(ScopedInspectView):
    template_name = "community/admin/resident_inspect.html"
    reveal_id_url_name = None
    field_labels = {
        "masked_id_number": _("ID number"),
        "masked_phone": _("phone"),
        "age": _("age"),
        "is_aged_70_plus": _("aged 70+"),
        "groups": _("special groups"),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.reveal_id_url_name and self.request.user.has_perm(VIEW_FULL_ID_NUMBER):
            context["reveal_id_url"] = reverse(
                self.reveal_id_url_name, args=(quote(self.object.pk),)
            )
        return context


class RevealIdNumberView(GridScopedQuerysetMixin, WagtailAdminTemplateMixin, View):
    """POST only: shows one resident's whole ID number to a user who holds
    ``view_full_id_number`` and may see the resident, and records the look."""

    http_method_names = ["post"]
    model = Resident
    template_name = "community/admin/resident_id_number.html"
    page_title = _("Whole ID number")
    header_icon = "user"
    index_url_name = None
    inspect_url_name = None
    select_related = ("household__building",)

    def post(self, request, pk):
        if not request.user.has_perm(VIEW_FULL_ID_NUMBER):
            return HttpResponseForbidden(str(_("You may not see whole ID numbers.")))
        resident = get_object_or_404(self.scoped(Resident.objects.all()), pk=unquote(str(pk)))
        audit.record(request, audit.VIEW_ID_NUMBER, [resident], where="admin")
        self.object = resident
        return self.render_to_response(self.get_context_data(resident=resident))

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if self.index_url_name:
            items.append(
                {
                    "url": reverse(self.index_url_name),
                    "label": capfirst(Resident._meta.verbose_name_plural),
                }
            )
        items.append({"url": "", "label": self.get_page_title(), "sublabel": str(self.object)})
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.inspect_url_name:
            context["back_url"] = reverse(self.inspect_url_name, args=(quote(self.object.pk),))
        return context


def _url_name_for(model, user) -> str | None:
    """The viewset URL to link a row to: edit if the user may change it, else inspect."""
    viewset = VIEWSETS_BY_MODEL.get(model)
    if viewset is None:
        return None
    action = "edit" if user.has_perm(f"community.change_{model._meta.model_name}") else "inspect"
    return viewset.get_url_name(action)


# --- viewsets -------------------------------------------------------------------------


class GridScopedModelViewSet(ModelViewSet):
    """A ModelViewSet whose every view is grid-scoped and declares so."""

    grid_scope = Scope.GRID
    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_class = ScopedCopyView
    inspect_view_class = ScopedInspectView

    inspect_view_enabled = True
    copy_view_enabled = False
    sort_order_field = None
    # Saving these models must not write to Wagtail's reference index: the index would
    # be one more place to keep in scope, and nothing here needs it.
    add_to_reference_index = False
    search_backend_name = None  # Django ORM icontains: models are not search-indexed
    list_per_page = 50

    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    special_groups_path: str | None = None
    form_class = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.grid_scope == Scope.GRID and not hasattr(self.model, "grid_path"):
            raise ImproperlyConfigured(
                f"{self.model.__name__} has no grid_path: it cannot be grid-scoped"
            )

    @property
    def name(self):
        return f"community_{self.model_name}"

    @property
    def url_prefix(self):
        return f"community/{self.model_name}"

    def construct_view(self, view_class, **kwargs):
        # The declaration lives on the view class, where the deny-by-default middleware
        # looks first: a viewset of another scope gets a subclass that says so.
        if getattr(view_class, "grid_scope", None) != self.grid_scope:
            view_class = type(view_class.__name__, (view_class,), {"grid_scope": self.grid_scope})
        return super().construct_view(view_class, **kwargs)

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            select_related=self.select_related,
            prefetch_related=self.prefetch_related,
            special_groups_path=self.special_groups_path,
            **kwargs,
        )

    def get_form_class(self, for_update=False):
        if self.form_class is not None:
            return self.form_class
        return super().get_form_class(for_update)


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
    form_class = GridTeamMemberForm
    filterset_class = GridTeamMemberFilterSet
    select_related = ("grid", "user")
    list_display = ["__str__", "grid", "role", "user"]
    search_fields = ["user__first_name", "user__last_name", "user__username"]
    inspect_view_fields = ["grid", "role", "user", "phone"]


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
        Column("special_groups", label=capfirst(_("special groups")), accessor=_group_names),
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


class SpecialGroupIndexView(ScopedIndexView):
    def annotate_queryset(self, queryset):
        if can_see_sensitive_groups(self.request.user):
            return queryset
        return queryset.filter(sensitive=False)


class SpecialGroupInspectView(ScopedInspectView):
    def get_object_queryset(self):
        queryset = super().get_object_queryset()
        if can_see_sensitive_groups(self.request.user):
            return queryset
        return queryset.filter(sensitive=False)


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


# --- "My grids" -----------------------------------------------------------------------


def _month_start(today: datetime.date) -> datetime.date:
    return today.replace(day=1)


def grid_summaries(user, *, with_lists: bool = True, today: datetime.date | None = None):
    """Per visible grid: households, households not visited this calendar month and
    follow-ups due within a week. Three queries however many grids (one without the
    lists), each list capped at MY_GRIDS_LIST_CAP rows per grid."""
    today = today or timezone.localdate()
    month_start = _month_start(today)
    due_by = today + datetime.timedelta(days=FOLLOW_UP_HORIZON_DAYS)
    visited_this_month = Visit.objects.filter(
        household=OuterRef("pk"), visited_on__gte=month_start, visited_on__lte=today
    )
    open_follow_up = Q(
        follow_up_needed=True, follow_up_done_at__isnull=True, follow_up_due__lte=due_by
    )

    unvisited_in_grid = (
        Household.objects.filter(building__grid=OuterRef("pk"))
        .filter(~Exists(visited_this_month))
        .order_by()
        .values("building__grid")
        .annotate(n=Count("pk"))
        .values("n")
    )
    due_in_grid = (
        Visit.objects.filter(open_follow_up, household__building__grid=OuterRef("pk"))
        .order_by()
        .values("household__building__grid")
        .annotate(n=Count("pk"))
        .values("n")
    )
    grids = list(
        visible_grids(user)
        .select_related("community")
        .annotate(
            household_count=_count_of(Household, "building__grid"),
            unvisited_count=Coalesce(
                Subquery(unvisited_in_grid, output_field=IntegerField()), Value(0)
            ),
            follow_up_count=Coalesce(Subquery(due_in_grid, output_field=IntegerField()), Value(0)),
        )
        .order_by("community__name", "number")
    )
    for grid in grids:
        grid.unvisited = []
        grid.follow_ups = []
    if not with_lists or not grids:
        return grids

    by_id = {grid.pk: grid for grid in grids}
    unvisited = (
        scope_queryset(Household.objects.all(), user)
        .filter(building__grid__in=list(by_id))
        .filter(~Exists(visited_this_month))
        .select_related("building")
        .annotate(
            row=Window(
                RowNumber(),
                partition_by=[F("building__grid_id")],
                order_by=[
                    F("building__sort_order").asc(),
                    F("building__name").asc(),
                    F("unit").asc(),
                    F("room").asc(),
                ],
            )
        )
        .filter(row__lte=MY_GRIDS_LIST_CAP)
        .order_by("building__sort_order", "building__name", "unit", "room")
    )
    for household in unvisited:
        by_id[household.building.grid_id].unvisited.append(household)

    follow_ups = (
        scope_queryset(Visit.objects.all(), user)
        .filter(open_follow_up, household__building__grid__in=list(by_id))
        .select_related("household__building", "visitor")
        .annotate(
            grid_id=F("household__building__grid_id"),
            row=Window(
                RowNumber(),
                partition_by=[F("household__building__grid_id")],
                order_by=[F("follow_up_due").asc(), F("id").asc()],
            ),
        )
        .filter(row__lte=MY_GRIDS_LIST_CAP)
        .order_by("follow_up_due", "id")
    )
    for visit in follow_ups:
        visit.overdue = visit.follow_up_due < today
        by_id[visit.grid_id].follow_ups.append(visit)
    return grids


class MyGridsView(WagtailAdminTemplateMixin, TemplateView):
    """A grid worker's landing page: what needs doing in each of their grids."""

    grid_scope = Scope.GRID
    template_name = "community/admin/my_grids.html"
    page_title = _("My grids")
    header_icon = "site"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["grids"] = grid_summaries(user)
        context["list_cap"] = MY_GRIDS_LIST_CAP
        context["horizon_days"] = FOLLOW_UP_HORIZON_DAYS
        context["household_url_name"] = _url_name_for(Household, user)
        context["household_inspect_url_name"] = VIEWSETS_BY_MODEL[Household].get_url_name("inspect")
        context["visit_url_name"] = _url_name_for(Visit, user)
        context["household_index_url"] = reverse(VIEWSETS_BY_MODEL[Household].get_url_name("index"))
        context["visit_index_url"] = reverse(VIEWSETS_BY_MODEL[Visit].get_url_name("index"))
        return context


class MyGridsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("community.view_grid")


class MyGridsPanel(Component):
    """Dashboard panel for grid-restricted users: the "My grids" counts (one query)."""

    grid_scope = Scope.GRID
    name = "anju_my_grids"
    order = 50
    template_name = "community/admin/my_grids_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {
            "grids": grid_summaries(self.request.user, with_lists=False),
            "my_grids_url": reverse("anju_my_grids"),
            "horizon_days": FOLLOW_UP_HORIZON_DAYS,
        }


def add_my_grids_panel(request, panels) -> None:
    if is_grid_restricted(request.user):
        panels.append(MyGridsPanel(request))


__all__ = [
    "CommunityViewSetGroup",
    "GRID_SCOPED_MODELS",
    "GridScopedPermissionPolicy",
    "MyGridsMenuItem",
    "MyGridsView",
    "add_my_grids_panel",
    "grid_summaries",
]
