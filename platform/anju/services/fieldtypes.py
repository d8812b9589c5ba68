"""The field types staff build forms from, and turning a stored form version into a
Django form and a submission back into stored answers.

A form version's ``fields`` is a list of dicts: ``name``, ``label``, ``type`` (one of
``FieldType``), ``required``, ``help_text``, ``choices``. Code-defined forms (plugins)
are described the same way, from their Django form, so every case reads alike.

Languages. A staff-built form is stored as staff wrote it; its choices are plain texts
(the answer is the text). A plugin's form is stored with its *source strings* (msgids):
labels, help texts, and choices as ``[code, label]`` pairs, while the answer keeps the
code. Reading a case translates those msgids into the reader's language at read time
(``localised_fields``), so a plugin's corrected translation shows on every earlier
case, and a Chinese reader never sees English labels or a raw code. Versions stored
before choices were pairs (a list of labels only) have their codes mapped with the
plugin's current form, if it is still installed.

Types. Answers are stored as JSON with their types (numbers as numbers, yes/no as
booleans, dates as ``YYYY-MM-DD``); ``typed_value`` also turns the texts older rows hold
("12", "True") back into them, by the field's type.
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
    mask_phone,
    validate_id_number,
    validate_phone,
)
from anju.core.normalise import NumberFormField

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
    BOOLEAN = "boolean", _("Yes or no")


class PhoneField(NumberFormField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.validators.append(validate_phone)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})


class IdNumberField(NumberFormField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(**kwargs)
        self.validators.append(validate_id_number)


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
    choices = [choice_pair(c) for c in spec.get("choices") or []]
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
    if kind == FieldType.BOOLEAN:
        return forms.BooleanField(**common)
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
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return FieldType.BOOLEAN
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
    """Describe a plugin's Django form as a form version: its source strings (msgids),
    so the version is the same whichever language the resident used, and is read in the
    reader's language (``localised_fields``). Choices are ``[code, label]`` pairs."""
    from django.utils import translation

    with translation.override(None):
        schema = []
        for name, field in form_class.base_fields.items():
            choices = []
            if isinstance(field, forms.ChoiceField) and not isinstance(field, HouseholdField):
                choices = [
                    [str(value), str(label)] for value, label in field.choices if value != ""
                ]
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


def choice_pair(choice) -> tuple[str, str]:
    """(code, label) of a stored choice: a staff-built form's text is both."""
    if isinstance(choice, list | tuple):
        return str(choice[0]), str(choice[1])
    return str(choice), str(choice)


def _number(value: decimal.Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def to_stored(value):
    """A cleaned value as JSON, with its type (files are stored as attachments)."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return _number(value)
    if isinstance(value, models.Model):
        return {"id": value.pk, "label": str(getattr(value, "address", value))}
    if isinstance(value, list | tuple):
        return [to_stored(v) for v in value]
    if hasattr(value, "read"):  # an uploaded file
        return {"file": getattr(value, "name", "")}
    return value


def stored_answers(cleaned_data: dict) -> dict:
    return {name: to_stored(value) for name, value in cleaned_data.items() if value is not None}


def typed_value(spec: dict, value):
    """A stored answer with the type its field gives it. Rows written before answers
    kept their types hold text ("12", "True", "None"): read them back as they were."""
    if value == "None":
        return None
    kind = spec.get("type")
    if kind == FieldType.NUMBER and isinstance(value, str):
        try:
            return _number(decimal.Decimal(value.strip()))
        except (decimal.InvalidOperation, ValueError):
            return value
    if kind == FieldType.BOOLEAN and isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower(), value)
    if kind == FieldType.HOUSEHOLD and isinstance(value, dict) and isinstance(value.get("id"), str):
        return {**value, "id": int(value["id"]) if value["id"].isdigit() else value["id"]}
    if isinstance(value, dict) and isinstance(value.get("attachment"), str):
        number = value["attachment"]
        return {**value, "attachment": int(number) if number.isdigit() else number}
    return value


def _code_form_fields(service) -> dict:
    """The fields of the plugin form a code-defined ``service`` stands for, if the
    plugin is still installed: ``{name: django field}``."""
    from . import codeforms
    from .submission import code_slug

    for (plugin, slug), spec in codeforms.registered().items():
        if plugin == service.plugin and code_slug(plugin, slug) == service.slug:
            return dict(spec.form_class.base_fields)
    return {}


def localised_fields(version, service=None) -> list[dict]:
    """The fields of ``version`` as the reader reads them, in the active language: a
    plugin's labels, help texts and choice labels translated from their msgids; choices
    as ``(code, label)`` pairs either way."""
    from .models import Service

    service = service or version.service
    code = service.kind == Service.Kind.CODE
    current = None
    result = []
    for spec in version.fields:
        label, help_text = spec["label"], spec.get("help_text", "")
        choices = [choice_pair(c) for c in spec.get("choices") or []]
        if code:
            label, help_text = gettext(label), gettext(help_text) if help_text else ""
            stored_codes = any(isinstance(c, list | tuple) for c in spec.get("choices") or [])
            if choices and not stored_codes:
                # An older version kept only the labels: the codes come from the form.
                if current is None:
                    current = _code_form_fields(service)
                field = current.get(spec["name"])
                if field is not None and hasattr(field, "choices"):
                    choices = [(str(v), str(lbl)) for v, lbl in field.choices if v != ""]
            else:
                choices = [(value, gettext(text)) for value, text in choices]
        result.append({**spec, "label": label, "help_text": help_text, "choices": choices})
    return result


def display_value(spec: dict, value, *, mask_phones: bool = False) -> str:
    """How one stored answer reads, for the field as it was when the case was filed;
    ``spec`` as ``localised_fields`` gives it (choices as (code, label) pairs)."""
    value = typed_value(spec, value)
    if value in (None, "", [], {}):
        return ""
    kind = spec.get("type")
    labels = dict(choice_pair(c) for c in spec.get("choices") or [])
    if kind == FieldType.ID_NUMBER:
        return mask_id_number(str(value))
    if kind == FieldType.PHONE and mask_phones:
        return mask_phone(str(value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return "、".join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, dict):
        return str(value.get("label") or value.get("file") or "")
    if kind == FieldType.CHOICE:
        return labels.get(str(value), str(value))
    if isinstance(value, float):
        return f"{value:f}".rstrip("0").rstrip(".")
    return str(value)


def answer_rows(case, *, mask_phones: bool = False) -> list[dict]:
    """Each answer of ``case`` for the reader: ``name``, ``label`` (in their language),
    ``type``, ``value`` (as stored, typed) and ``display`` (how it reads)."""
    data = case.data or {}
    rows = []
    for spec in localised_fields(case.version, case.service):
        value = typed_value(spec, data.get(spec["name"]))
        rows.append(
            {
                "name": spec["name"],
                "label": spec["label"],
                "type": spec["type"],
                "value": value,
                "display": display_value(spec, value, mask_phones=mask_phones),
            }
        )
    return rows
