"""The scoped admin form: foreign-key choices limited to rows the user may see."""

from __future__ import annotations

from django.forms import ModelChoiceField
from wagtail.admin.forms.models import WagtailAdminModelForm

from anju.community.models import Resident
from anju.permissions.pickers import use_picker
from anju.permissions.scope import is_community_limited, is_scopable, scope_queryset


class ScopedFormMixin:
    """Limits each foreign key named in ``scoped_fields`` (``"__all__"``: every choice
    field of a scopable model) to rows the user may see; a choice outside them is
    refused as an invalid choice, never saved. The model's own ``community_path`` field
    is required of anyone limited to their communities: a row of no community is
    county-wide (``anju.permissions.scope.is_community_limited``)."""

    scoped_fields: tuple[str, ...] | str = ()
    #: {field name: select_related paths} for readable choice labels in one query.
    choice_select_related: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        names = self.scoped_fields
        if names == "__all__":
            names = [
                name
                for name, field in self.fields.items()
                if isinstance(field, ModelChoiceField) and is_scopable(field.queryset.model)
            ]
        own = getattr(self._meta.model, "community_path", None)
        if own in self.fields and is_community_limited(user):
            self.fields[own].required = True
        for name in names:
            field = self.fields.get(name)
            if field is None:
                continue
            queryset = field.queryset
            if name in self.choice_select_related:
                queryset = queryset.select_related(*self.choice_select_related[name])
            field.queryset = scope_queryset(queryset, user)
            if queryset.model is Resident and isinstance(field, ModelChoiceField):
                # A search box scoped the same way, never a list of the register.
                use_picker(field, user)


class ScopedModelForm(ScopedFormMixin, WagtailAdminModelForm):
    class Meta(WagtailAdminModelForm.Meta):
        pass


class AllChoicesScopedModelForm(ScopedModelForm):
    """Every scopable choice narrowed (CommunityScopedModelViewSet's default form)."""

    scoped_fields = "__all__"


def scoped_form(form_class: type) -> type:
    """``form_class`` (a WagtailAdminModelForm, e.g. built from panels) with every
    scopable choice narrowed to the user's rows."""
    if issubclass(form_class, ScopedFormMixin):
        return form_class
    return type(form_class.__name__, (ScopedFormMixin, form_class), {"scoped_fields": "__all__"})
