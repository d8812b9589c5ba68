"""The scoped Wagtail admin views: every one answers only with rows in grids the user may
see.

* ``GridScopedQuerysetMixin.scoped()`` narrows any queryset with
  :func:`anju.permissions.scope.scope_queryset`;
* ``ScopedIndexView`` uses it for the listing (and so for search, filters and exports);
* ``ScopedObjectMixin`` uses it to fetch the object of every single-object view (edit,
  inspect, delete, history, usage, copy) while the view is set up, before any permission
  check: an id outside the user's grids is a 404 whatever the role.

Each view class declares ``grid_scope`` so the deny-by-default middleware
(anju.permissions.urlscope) lets grid workers and resident representatives in."""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import (
    Prefetch,
    ProtectedError,
)
from django.shortcuts import get_object_or_404
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.coreutils import multigetattr

from anju.core.spreadsheets import safe_cell
from anju.permissions.scope import scope_queryset, special_groups_for
from anju.permissions.urlscope import Scope


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
        if hasattr(queryset.model, "grid_path") or hasattr(queryset.model, "community_path"):
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

    def preprocess_field_value(self, field, value, export_format):
        # Residents' text never runs as a formula, in CSV or Excel (anju.core.spreadsheets).
        return safe_cell(super().preprocess_field_value(field, value, export_format))

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
