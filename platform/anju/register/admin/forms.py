"""The household register's admin forms. Foreign keys are scoped (ScopedModelForm); the
resident form never sends a whole ID number to the browser."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import (
    Q,
)
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm

from anju.community.idnumbers import normalise_id_number
from anju.community.models import (
    Building,
    Grid,
    GridTeamMember,
    Household,
    Resident,
    SpecialGroup,
    Visit,
)
from anju.core.normalise import NumberFormField
from anju.permissions.admin.forms import ScopedModelForm
from anju.permissions.lookups import check_id_number
from anju.permissions.scope import special_groups_for, visible_grids

VIEW_FULL_ID_NUMBER = "community.view_full_id_number"


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
        if value and value != self.instance.id_number:
            # The community-wide duplicate check: audited and rate-limited.
            check_id_number(
                None,
                self.for_user,
                id_number=value,
                household=self.cleaned_data.get("household"),
                exclude_pk=self.instance.pk,
                where="admin",
            )
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
            "hukou_township",
            "groups",
            "note",
        ]
        widgets = {"groups": forms.CheckboxSelectMultiple}
        # Spaces and full-width digits are normalised before the length check, as on
        # the portal (anju.core.normalise).
        field_classes = {"id_number": NumberFormField, "phone": NumberFormField}


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
