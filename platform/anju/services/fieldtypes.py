"""The field types staff build forms from, and turning a stored form version into a
Django form and a submission back into stored answers.

A form version's ``fields`` is a list of dicts: ``name``, ``label``, ``type`` (one of
``FieldType``), ``required``, ``help_text``, ``choices``. Code-defined forms (plugins)
are described the same way, from their Django form, so every case reads alike.
"""

from __future__ import annotations

import datetime
import decimal

from django import forms
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anju.community.idnumbers import (
    mask_id_number,
    normalise_id_number,
    validate_id_number,
    validate_phone,
)

from . import uploads


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    PHONE = "phone", _("Phone number")
    ID_NUMBER = "id_number", _("ID number")
    FILE = "file", _("File upload")
    HOUSEHOLD = "household", _("Household")


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.validators.append(validate_phone)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})


class IdNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(**kwargs)
        self.validators.append(validate_id_number)

    def clean(self, value):
        value = normalise_id_number(value or "")
        return super().clean(value)


class UploadField(forms.FileField):
    """A file, refused with a clear message when too large or of a kind we do not take."""

    def clean(self, data, initial=None):
        data = super().clean(data, initial)
        if data:
            uploads.validate_upload(data)
        return data


class HouseholdField(forms.ModelChoiceField):
    """The household a request concerns. Staff choose among the households their grids
    hold; residents never see a list of households."""

    def label_from_instance(self, obj):
        return obj.address


def household_queryset(user):
    from anju.community.models import Household
    from anju.permissions.scope import scope_queryset

    queryset = Household.objects.select_related("building")
    if user is None or not user.is_authenticated:
        return queryset.none()
    return scope_queryset(queryset, user)


def form_field(spec: dict, user=None) -> forms.Field:
    kind = spec["type"]
    common = {
        "label": spec["label"],
        "required": bool(spec.get("required")),
        "help_text": spec.get("help_text", ""),
    }
    choices = [(c, c) for c in spec.get("choices") or []]
    if kind == FieldType.TEXT:
        return forms.CharField(max_length=255, **common)
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, **common)
    if kind == FieldType.NUMBER:
        return forms.DecimalField(max_digits=14, decimal_places=2, **common)
    if kind == FieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "---------")] + choices, **common)
    if kind == FieldType.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == FieldType.PHONE:
        return PhoneField(**common)
    if kind == FieldType.ID_NUMBER:
        return IdNumberField(**common)
    if kind == FieldType.FILE:
        return UploadField(**common)
    if kind == FieldType.HOUSEHOLD:
        return HouseholdField(queryset=household_queryset(user), **common)
    raise ValueError(f"Unknown field type {kind!r}")


def build_form_class(schema: list[dict], user=None) -> type[forms.Form]:
    """A Django form class for a stored form version."""
    attrs = {spec["name"]: form_field(spec, user) for spec in schema}
    return type("ServiceRequestForm", (forms.Form,), attrs)


# --- code-defined forms --------------------------------------------------------------


def type_of(field: forms.Field) -> str:
    if isinstance(field, PhoneField):
        return FieldType.PHONE
    if isinstance(field, IdNumberField):
        return FieldType.ID_NUMBER
    if isinstance(field, forms.FileField):
        return FieldType.FILE
    if isinstance(field, HouseholdField):
        return FieldType.HOUSEHOLD
    if isinstance(field, forms.MultipleChoiceField):
        return FieldType.MULTIPLE_CHOICE
    if isinstance(field, forms.ChoiceField):
        return FieldType.CHOICE
    if isinstance(field, forms.DateField):
        return FieldType.DATE
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return FieldType.NUMBER
    if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
        return FieldType.LONG_TEXT
    return FieldType.TEXT


def schema_of_form_class(form_class: type[forms.Form]) -> list[dict]:
    """Describe a plugin's Django form as a form version (labels as the default language
    writes them, so the version is the same whichever language the resident used)."""
    from django.utils import translation

    with translation.override(None):
        schema = []
        for name, field in form_class.base_fields.items():
            choices = []
            if isinstance(field, forms.ChoiceField) and not isinstance(field, HouseholdField):
                choices = [str(label) for value, label in field.choices if value != ""]
            schema.append(
                {
                    "name": name,
                    "label": str(field.label or name.replace("_", " ").capitalize()),
                    "type": str(type_of(field)),
                    "required": field.required,
                    "help_text": str(field.help_text or ""),
                    "choices": choices,
                }
            )
    return schema


# --- stored answers ------------------------------------------------------------------


def to_stored(value):
    """A cleaned value as JSON (files are stored as attachments, not here)."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return {"id": value.pk, "label": str(getattr(value, "address", value))}
    if isinstance(value, list | tuple):
        return [to_stored(v) for v in value]
    if hasattr(value, "read"):  # an uploaded file
        return {"file": getattr(value, "name", "")}
    return value


def stored_answers(cleaned_data: dict) -> dict:
    # No None: the encrypted JSON field stores every value as a string, so an empty
    # optional answer would read back as "None".
    return {name: to_stored(value) for name, value in cleaned_data.items() if value is not None}


def display_value(spec: dict, value) -> str:
    """How one stored answer reads, for the field as it was when the case was filed."""
    if value in (None, "", [], {}):
        return ""
    kind = spec.get("type")
    if kind == FieldType.ID_NUMBER:
        return mask_id_number(str(value))
    if kind == FieldType.MULTIPLE_CHOICE and isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("label") or value.get("file") or "")
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    return str(value)
