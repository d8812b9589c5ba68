"""Forms around a service's own fields: who is asking, tracking a case, staff actions."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from anju.community.idnumbers import validate_phone
from anju.community.models import Building
from anju.core.normalise import NumberFormField

from .fieldtypes import build_form_class
from .models import Service
from .submission import normalise_reference


class RequesterForm(forms.Form):
    """Who the request is from. A resident without an account gives a name and phone
    number; the phone is how they are told of progress and how they track the case."""

    requester_name = forms.CharField(label=_("Your name"), max_length=50)
    requester_phone = NumberFormField(
        label=_("Your mobile number"),
        max_length=20,
        validators=[validate_phone],
        help_text=_("We send the reference number and news of your request to this number."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # Where the resident lives: it puts the request in their grid, so their own grid
    # worker handles it (小事不出网格). Staff filing on a resident's behalf pick the
    # household itself instead.
    building = forms.ModelChoiceField(
        label=_("Your building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("— choose —"),
    )
    room = forms.CharField(
        label=_("Your unit and room"),
        max_length=20,
        required=False,
        help_text=_("For example 2单元301."),
    )
    # Generated when the form is shown; a double tap or a resend carries the same one.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, on_behalf: bool = False, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        buildings = Building.objects.order_by("grid__number", "sort_order", "name")
        if community is not None:
            buildings = buildings.filter(grid__community_id=community.pk)
        self.fields["building"].queryset = buildings
        if on_behalf:
            del self.fields["building"]
            del self.fields["room"]
            self.fields["requester_name"].label = _("Resident's name")
            self.fields["requester_phone"].label = _("Resident's mobile number")
            self.fields["requester_phone"].help_text = _(
                "The resident is sent the reference number at this number."
            )


def service_form_class(service: Service, user=None, code_form_class=None):
    """The Django form for ``service``: the plugin's own class for a code-defined form,
    else built from the service's current version."""
    if code_form_class is not None:
        return code_form_class
    version = service.current_version or service.snapshot()
    return build_form_class(version.fields, user)


class TrackForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone_last4 = NumberFormField(
        label=_("Last four digits of your mobile number"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_reference(self):
        value = normalise_reference(self.cleaned_data["reference"])
        if len(value) != 8:
            raise forms.ValidationError(_("A reference number has eight digits."))
        return value

    def clean_phone_last4(self):
        value = self.cleaned_data["phone_last4"].strip()
        if not value.isdigit():
            raise forms.ValidationError(_("Enter four digits."))
        return value


class ResidentFollowUpForm(forms.Form):
    """The resident's side of the 回访 on a resolved case: settled (with a 1–5 score) or
    not settled (the case goes back to work and its handler is told)."""

    settled = forms.TypedChoiceField(
        label=_("Is the matter settled?"),
        choices=[("yes", _("Yes, it is settled")), ("no", _("No, it is not settled"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the matter is settled.")},
    )
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you? (5 is best)"),
        choices=[(str(n), str(n)) for n in range(5, 0, -1)],
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        empty_value=None,
    )
    note = forms.CharField(
        label=_("Anything to add?"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("settled") and cleaned.get("satisfaction") is None:
            self.add_error("satisfaction", _("Choose a score from 1 to 5."))
        if cleaned.get("settled") is False:
            cleaned["satisfaction"] = None
            if not (cleaned.get("note") or "").strip():
                self.add_error("note", _("Tell us what is still wrong."))
        return cleaned


class FollowUpForm(forms.Form):
    """回访: is the matter settled, says the resident, and how satisfied are they. Used by
    the case page and by plugins with a follow-up of their own (``settled_label`` and
    ``settled_choices`` word the question for them); ``cleaned_data["settled"]`` is a
    bool, ``["satisfaction"]`` 1–5 or None."""

    settled_label = _("Is the matter settled, says the resident?")
    settled_choices = (("yes", _("Yes, settled")), ("no", _("No, not yet")))

    settled = forms.TypedChoiceField(
        choices=(), coerce=lambda value: value == "yes", widget=forms.RadioSelect
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=[("", "—")] + [(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("1 (very unhappy) to 5 (very satisfied)."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["settled"].label = self.settled_label
        self.fields["settled"].choices = list(self.settled_choices)
