"""The grid-scoped Wagtail ModelViewSet that every staff listing of grid data uses."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.forms.models import modelform_factory
from wagtail.admin.viewsets.model import ModelViewSet

from anju.permissions.urlscope import Scope

from .forms import AllChoicesScopedModelForm, scoped_form
from .views import (
    ScopedCopyView,
    ScopedCreateView,
    ScopedDeleteView,
    ScopedEditView,
    ScopedHistoryView,
    ScopedIndexView,
    ScopedInspectView,
    ScopedUsageView,
)


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


class CommunityScopedModelViewSet(GridScopedModelViewSet):
    """A ModelViewSet of records that belong to a whole community (a canteen's menus,
    rooms, a class's terms, safety talks): the model declares ``community_path``; every
    view lists and opens only the rows of communities the user sees, and every choice of
    a community (or of anything scoped) in its form is narrowed the same way, so nobody
    writes into another community. Set ``name`` and ``url_prefix``; ``grid_scope``
    defaults to ``Scope.COMMUNITY`` (refused to grid-restricted roles)."""

    grid_scope = Scope.COMMUNITY
    inspect_view_enabled = False
    name = None
    url_prefix = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not hasattr(self.model, "community_path"):
            raise ImproperlyConfigured(
                f"{self.model.__name__} declares no community_path: it cannot be community-scoped"
            )

    def get_form_class(self, for_update=False):
        if self.form_class is not None:
            return scoped_form(self.form_class)
        if self._edit_handler:
            return scoped_form(self._edit_handler.get_form_class())
        return modelform_factory(
            self.model,
            form=AllChoicesScopedModelForm,
            formfield_callback=self.formfield_for_dbfield,
            fields=self.get_form_fields(),
            exclude=self.get_exclude_form_fields(),
        )
