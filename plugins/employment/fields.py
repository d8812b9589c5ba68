"""A multi-select of fixed codes kept in one text column (",women,older,").

Postings and job seekers carry tags (suitable for women, for older workers, training
provided, ...). A delimited column filters the same way on SQLite and PostgreSQL —
``tags__contains=",women,"`` — where a JSON list would not, and needs no join table.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobTag(models.TextChoices):
    WOMEN = "women", _("Suitable for women")
    OLDER = "older", _("Suitable for older workers")
    TRAINING = "training", _("Training provided")
    BOARD = "board", _("Meals and housing provided")
    NEAR_HOME = "near_home", _("Close to home")
    FLEXIBLE = "flexible", _("Flexible hours")


def tag_q(path: str, tag: str) -> models.Q:
    """Rows whose tag column at ``path`` holds ``tag``."""
    return models.Q(**{f"{path}__contains": f",{tag},"})


class TagListField(models.CharField):
    """A list of JobTag codes; the form shows them as check boxes."""

    description = "A list of job tags"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return [part for part in str(value).split(",") if part]

    def get_prep_value(self, value):
        if isinstance(value, str):
            return value  # a lookup value (",women,") or an already-stored string
        codes = [str(v) for v in (value or [])]
        return f",{','.join(codes)}," if codes else ""

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        unknown = [v for v in value or [] if v not in JobTag.values]
        if unknown:
            raise ValidationError(
                _("Unknown tag: %(tags)s"), params={"tags": ", ".join(unknown)}, code="tag"
            )
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": JobTag.choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": self.verbose_name,
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        defaults.pop("max_length", None)
        form_class = defaults.pop("form_class")
        defaults.pop("choices_form_class", None)
        return form_class(**defaults)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 200:
            del kwargs["max_length"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        if kwargs.get("default") is list:
            del kwargs["default"]
        return name, path, args, kwargs


def tag_labels(codes) -> list[str]:
    labels = dict(JobTag.choices)
    return [str(labels.get(code, code)) for code in codes or []]
