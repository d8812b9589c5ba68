"""The scoped admin form: foreign-key choices limited to rows the user may see."""

from __future__ import annotations

from django.forms import ModelChoiceField
from wagtail.admin.forms.models import WagtailAdminModelForm

from anju.community.models import Resident
from anju.permissions.pickers import use_picker
from anju.permissions.scope import scope_queryset


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
            if queryset.model is Resident and isinstance(field, ModelChoiceField):
                # A search box scoped the same way, never a list of the register.
                use_picker(field, self.for_user)

    class Meta(WagtailAdminModelForm.Meta):
        pass
