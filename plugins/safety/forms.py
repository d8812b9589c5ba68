"""The plugin's forms: the residents' two service forms, the door-to-door checklist,
and the staff's hazard forms (photo, rectification, re-check)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anju.services import validate_upload

from .models import Item, Responsible, Severity

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")


class ConnectionForm(forms.Form):
    """申请通燃气: the engine adds the requester's name, phone and address."""

    lpg_cylinders = forms.IntegerField(
        label=_("How many LPG cylinders do you use now?"),
        min_value=0,
        max_value=20,
        initial=0,
        help_text=_("0 if you use none."),
    )
    note = forms.CharField(
        label=_("Anything the gas company should know"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HazardReportForm(forms.Form):
    """A resident reports a hazard (举报隐患), e.g. a blocked stairwell."""

    item = forms.ChoiceField(label=_("What is wrong"), choices=Item.choices)
    description = forms.CharField(
        label=_("Where, and what you saw"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


CHECK_CHOICES = [("pass", _("Pass")), ("fail", _("Fail")), ("na", _("Not applicable"))]


class ChecklistForm(forms.Form):
    """The standard door-to-door checklist: each item passes, fails (→ a hazard) or
    does not apply. Used as the safety campaign's checklist."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


for _code, _label in Item.choices:
    if _code != Item.OTHER:
        ChecklistForm.base_fields[_code] = forms.ChoiceField(
            label=_label, choices=CHECK_CHOICES, widget=forms.RadioSelect
        )
ChecklistForm.base_fields["remarks"] = forms.CharField(
    label=_("What was found"), required=False, max_length=1000, widget=forms.Textarea
)


def validate_image(upload) -> None:
    """A photo: an accepted upload (size, extension, leading bytes) that really is an
    image Pillow can read."""
    import os

    ext = os.path.splitext(getattr(upload, "name", "") or "")[1].lower()
    if ext not in IMAGE_EXTENSIONS:
        raise ValidationError(
            _("The photo must be a JPEG, PNG or WebP picture."), code="not_an_image"
        )
    validate_upload(upload)


class PhotoField(forms.ImageField):
    default_error_messages = {
        "invalid_image": _("That file is not a picture we can open: take the photo again."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", [validate_image])
        super().__init__(**kwargs)


class HazardForm(forms.Form):
    """Staff set a hazard's severity, who must fix it and its photo."""

    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    responsible = forms.ChoiceField(label=_("Who must fix it"), choices=Responsible.choices)
    description = forms.CharField(
        label=_("What was found"), required=False, max_length=1000, widget=forms.Textarea
    )
    photo = PhotoField(label=_("Photo"), required=False)


class RectifyForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RecheckForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("Re-check"),
        choices=[("yes", _("Removed: close the hazard")), ("no", _("Still there"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class SeasonForm(forms.Form):
    """Which season's figures (any date in it; today if not given)."""

    on = forms.DateField(label=_("Season of"), required=False)
