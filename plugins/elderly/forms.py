"""Forms: the portal's (identify yourself without an account, then book, cancel or sign
up) and the staff's (book on someone's behalf, record a welfare check)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.community import Building, Resident, Visit
from anju.permissions import use_picker

from . import canteen
from .models import Activity, Option


class IdentityForm(forms.Form):
    """Who you are, as the register knows you: name, address and the last four digits
    of the phone number on record. No account needed (family may book for an elder).

    Signed in with an account linked to the register, there is nothing to type: the
    form asks only which of the residents the account acts for (``acting``: themselves
    and relatives linked as 代理人)."""

    name = forms.CharField(label=_("Name of the elder"), max_length=50)
    building = forms.ModelChoiceField(label=_("Building"), queryset=Building.objects.none())
    room = forms.CharField(
        label=_("Room"), max_length=20, help_text=_("For example 301 or 2单元301.")
    )
    phone_last4 = forms.CharField(
        label=_("Last four digits of the phone on record"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, community=None, acting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident = None
        self.signed_in = acting is not None
        if self.signed_in:
            for name in ("name", "building", "room", "phone_last4"):
                del self.fields[name]
            person = forms.ModelChoiceField(
                label=_("For whom"),
                queryset=acting,
                empty_label=None,
                widget=forms.RadioSelect,
            )
            self.fields = {"person": person, **self.fields}
            return
        buildings = Building.objects.select_related("grid").order_by(
            "grid__number", "sort_order", "name"
        )
        if community is not None:
            buildings = buildings.filter(grid__community=community)
        self.fields["building"].queryset = buildings

    def clean_phone_last4(self):
        value = self.cleaned_data["phone_last4"].strip()
        if not value.isdigit():
            raise forms.ValidationError(_("Enter four digits."))
        return value

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if self.signed_in:
            self.resident = data["person"]
            return data
        self.resident = canteen.identify(
            data["name"], data["building"], data["room"], data["phone_last4"]
        )
        if self.resident is None:
            raise forms.ValidationError(
                _(
                    "We could not find this person at this address with this phone number. "
                    "Check the details, or ask your grid worker or the canteen."
                )
            )
        return data


def _upcoming_days(count: int = 7) -> list[tuple[str, str]]:
    today = timezone.localdate()
    days = [today + datetime.timedelta(days=n) for n in range(count)]
    return [(day.isoformat(), day.strftime("%m-%d")) for day in days]


class BookingForm(IdentityForm):
    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    option = forms.ChoiceField(label=_("Option"), choices=Option.choices, initial=Option.REGULAR)
    delivery = forms.BooleanField(
        label=_("Deliver it home (for elders living alone or disabled)"), required=False
    )
    note = forms.CharField(label=_("Dietary note"), max_length=200, required=False)


class CancelForm(IdentityForm):
    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))


class ActivitySignUpForm(IdentityForm):
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=Activity.objects.none())

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, community=community, **kwargs)
        activities = Activity.objects.filter(published=True, starts_at__gte=timezone.now())
        if community is not None:
            activities = activities.filter(community=community)
        self.fields["activity"].queryset = activities


def bookable_elders(user):
    """The elders ``user`` may book lunch for (the staff's picker's source)."""
    return canteen.visible(canteen.eligible_residents(), user)


class StaffBookingForm(forms.Form):
    """A grid worker or canteen staff books for an elder (who cannot use a phone)."""

    resident = forms.ModelChoiceField(label=_("Elder"), queryset=Resident.objects.none())
    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    option = forms.ChoiceField(label=_("Option"), choices=Option.choices, required=False)
    delivery = forms.BooleanField(label=_("Deliver it home"), required=False)
    note = forms.CharField(label=_("Dietary note"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A search box over the elders the user may book for, never the register.
        use_picker(self.fields["resident"], user, bookable_elders)


class WelfareCheckForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How"), choices=Visit.Channel.choices, initial=Visit.Channel.IN_PERSON
    )
    note = forms.CharField(
        label=_("What was found"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
