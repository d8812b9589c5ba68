from django import forms
from django.utils.translation import gettext_lazy as _

from anju.community.models import normalise_phone


def clean_mobile(value: str) -> str:
    digits = normalise_phone(value)
    if len(digits) != 11 or not digits.startswith("1"):
        raise forms.ValidationError(_("Enter an 11-digit mobile number, such as 13800001234."))
    return digits


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "13800001234"}
        ),
    )

    def clean_phone(self):
        return clean_mobile(self.cleaned_data["phone"])


class CodeForm(PhoneForm):
    phone = forms.CharField(widget=forms.HiddenInput, max_length=20)
    code = forms.RegexField(
        label=_("Code from the SMS"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code is six digits.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6"}
        ),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Optional: we also send your messages here. Leave empty to stop."),
    )


class LinkNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Your name and address"),
        max_length=200,
        help_text=_("For example: 张桂英, 3号楼2单元301. The grid worker uses it to find you."),
    )
