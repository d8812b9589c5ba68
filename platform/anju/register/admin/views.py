"""The household register's listing, inspect and reveal views (on the scoped bases of
anju.permissions.admin)."""

from __future__ import annotations

from django.contrib.admin.utils import quote, unquote
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from anju.community.idnumbers import ID_RE, normalise_id_number
from anju.community.models import (
    Building,
    Household,
    Resident,
    Visit,
    id_number_digest,
)
from anju.community.panels import render_household_panels
from anju.core import audit
from anju.permissions.admin.views import GridScopedQuerysetMixin, ScopedIndexView, ScopedInspectView
from anju.permissions.scope import can_see_sensitive_groups, special_groups_for

from .forms import VIEW_FULL_ID_NUMBER


def group_names(resident) -> str:
    # resident.groups is prefetched with only the groups the user may see
    return ", ".join(group.name for group in resident.groups.all())


def count_of(model, path_to_outer: str, **filters):
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
            building_count=count_of(Building, "grid"),
            household_count=count_of(Household, "building__grid"),
        )


class BuildingIndexView(ScopedIndexView):
    export_callables = {"grid": lambda b: b.grid.name}

    def annotate_queryset(self, queryset):
        return queryset.annotate(household_count=count_of(Household, "building"))


class GridTeamMemberIndexView(ScopedIndexView):
    export_callables = {
        "grid": lambda m: m.grid.name,
        "role": lambda m: m.get_role_display(),
        "user": lambda m: m.user.get_full_name() or m.user.get_username(),
    }


class HouseholdIndexView(ScopedIndexView):
    def annotate_queryset(self, queryset):
        return queryset.annotate(
            resident_count=count_of(Resident, "household"),
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
        "special_groups": group_names,
        "grid": lambda r: r.household.building.grid.name,
        "household": lambda r: r.household.address,
    }


class VisitIndexView(ScopedIndexView):
    export_callables = {
        "household": lambda v: v.household.address,
        "grid": lambda v: v.household.building.grid.name,
        "visitor": lambda v: (
            (v.visitor.get_full_name() or v.visitor.get_username()) if v.visitor_id else ""
        ),
        "channel": lambda v: v.get_channel_display(),
        "follow_up_needed": lambda v: _("yes") if v.follow_up_needed else _("no"),
    }


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
        context["resident_url_name"] = url_name_for(Resident, user)
        context["visit_url_name"] = url_name_for(Visit, user)
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


def url_name_for(model, user) -> str:
    """The viewset URL to link a row to: edit if the user may change it, else inspect.
    (URL names as GridScopedModelViewSet names them: ``community_<model>:<action>``.)"""
    action = "edit" if user.has_perm(f"community.change_{model._meta.model_name}") else "inspect"
    return f"community_{model._meta.model_name}:{action}"


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
