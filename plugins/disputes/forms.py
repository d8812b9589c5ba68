"""Forms: the residents' report on the portal, and the staff's forms in the admin."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.community import Grid, Resident, validate_phone
from anju.permissions import scope_queryset, use_picker
from anju.services import FollowUpForm as BaseFollowUpForm
from anju.services import UploadField

from .models import (
    NEXT_LEVELS,
    Dispute,
    DisputeLevel,
    DisputeType,
    RiskLevel,
    first_of_month,
)


class DisputeReportForm(forms.Form):
    """A resident reports a dispute (the engine adds their name and phone). These are
    also the answers every dispute case keeps, however it was filed."""

    dispute_type = forms.ChoiceField(label=_("What kind of dispute"), choices=DisputeType.choices)
    summary = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In your own words: who, what, since when."),
    )
    place = forms.CharField(
        label=_("Where"),
        max_length=200,
        required=False,
        help_text=_("For example: 3号楼2单元, between rooms 401 and 301."),
    )
    other_party = forms.CharField(
        label=_("The other side (name)"),
        max_length=50,
        required=False,
        help_text=_("If you know it."),
    )


def _phone_field(**kwargs):
    return forms.CharField(
        max_length=20,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        **kwargs,
    )


class VisitDisputeForm(forms.Form):
    """A grid worker records a dispute heard on a household visit."""

    dispute_type = forms.ChoiceField(label=_("What kind of dispute"), choices=DisputeType.choices)
    summary = forms.CharField(
        label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    place = forms.CharField(label=_("Where"), max_length=200, required=False)
    risk = forms.ChoiceField(
        label=_("Risk"),
        choices=RiskLevel.choices,
        initial=RiskLevel.LOW,
        help_text=_("High tells every committee member at once."),
    )
    raised_by = forms.ModelChoiceField(
        label=_("Raised by"), queryset=Resident.objects.none(), empty_label=None
    )
    phone = _phone_field(
        label=_("Their mobile number"),
        required=False,
        help_text=_("Leave empty to use the number on record. They track the case with it."),
    )
    other_residents = forms.ModelMultipleChoiceField(
        label=_("Other parties living in the community"),
        queryset=Resident.objects.none(),
        required=False,
    )
    outsider_name = forms.CharField(
        label=_("Party from outside: name"), max_length=50, required=False
    )
    outsider_phone = _phone_field(label=_("Party from outside: phone"), required=False)

    def __init__(self, *args, visit, user, **kwargs):
        super().__init__(*args, **kwargs)
        household = visit.household
        self.fields["raised_by"].queryset = household.residents.order_by("pk")
        self.fields["raised_by"].initial = household.head_id
        grid_residents = scope_queryset(
            Resident.objects.filter(household__building__grid_id=household.building.grid_id),
            user,
        ).select_related("household__building")
        self.fields["other_residents"].queryset = grid_residents.order_by("household_id", "pk")
        self.fields["other_residents"].label_from_instance = lambda r: (
            f"{r.name} · {r.household.address}"
        )

    def clean(self):
        data = super().clean()
        resident = data.get("raised_by")
        if resident is not None and not (data.get("phone") or resident.phone):
            self.add_error(
                "phone",
                _(
                    "No mobile number is on record for this resident: give one, so they can "
                    "follow the case."
                ),
            )
        if data.get("outsider_phone") and not data.get("outsider_name"):
            self.add_error("outsider_name", _("Give the name of the person from outside."))
        return data

    def report_form(self) -> DisputeReportForm:
        """The answers as the case keeps them: the same fields as the portal's form."""
        data = self.cleaned_data
        others = [r.name for r in data.get("other_residents") or []]
        if data.get("outsider_name"):
            others.append(data["outsider_name"])
        form = DisputeReportForm(
            {
                "dispute_type": data["dispute_type"],
                "summary": data["summary"],
                "place": data.get("place", ""),
                "other_party": "、".join(others)[:50],
            }
        )
        form.is_valid()
        return form


def party_residents(user, dispute_id):
    """Who may be added as a party to the dispute: its community's residents, of its
    grid when it has one, among those ``user`` may see (the party picker's source)."""
    dispute = Dispute.objects.select_related("case").filter(pk=dispute_id).first()
    if dispute is None:
        return Resident.objects.none()
    residents = Resident.objects.filter(community_id=dispute.case.community_id)
    if dispute.case.grid_id:
        residents = residents.filter(household__building__grid_id=dispute.case.grid_id)
    return scope_queryset(residents, user)


class PartyForm(forms.Form):
    resident = forms.ModelChoiceField(
        label=_("Resident"), queryset=Resident.objects.none(), required=False
    )
    name = forms.CharField(
        label=_("Or: name of someone from outside"), max_length=50, required=False
    )
    phone = _phone_field(label=_("Their phone"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, dispute, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A search box over the dispute's grid as the user sees it, never the register.
        use_picker(self.fields["resident"], user, party_residents, dispute.pk)

    def clean(self):
        data = super().clean()
        if not data.get("resident") and not data.get("name"):
            raise forms.ValidationError(_("Choose a resident or give the person's name."))
        return data


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("Held on"),
        initial=timezone.now,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    attendees = forms.CharField(
        label=_("Who attended"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    agreement = forms.CharField(
        label=_("What was agreed"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    agreement_document = UploadField(
        label=_("Agreement document"),
        required=False,
        help_text=_("The signed agreement: a photo, PDF or office document."),
    )


class EscalateForm(forms.Form):
    to_level = forms.ChoiceField(label=_("To"), choices=())
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, dispute, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_level"].choices = [
            (level.value, level.label) for level in NEXT_LEVELS[DisputeLevel(dispute.level)]
        ]


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("How it was settled"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(BaseFollowUpForm):
    settled_label = _("Did it hold?")
    settled_choices = (("yes", _("Yes, settled")), ("no", _("No, it flared up again")))


class RiskForm(forms.Form):
    risk = forms.ChoiceField(label=_("Risk"), choices=RiskLevel.choices)


class MonthField(forms.DateField):
    """A month as YYYY-MM (or any date in it), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        return first_of_month(day) if day else day


class ScreeningForm(forms.Form):
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=Grid.objects.none())
    month = MonthField(label=_("Month"))
    found = forms.IntegerField(label=_("Disputes found"), min_value=0, initial=0)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = scope_queryset(Grid.objects.all(), user).order_by(
            "community_id", "number"
        )
        self.fields["month"].initial = first_of_month(timezone.localdate())


class PeriodForm(forms.Form):
    """Figures for a period (default: this year so far) and optionally one grid."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    grid = forms.ModelChoiceField(
        label=_("Grid"), queryset=Grid.objects.none(), required=False, empty_label=_("All grids")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = scope_queryset(Grid.objects.all(), user).order_by(
            "community_id", "number"
        )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["start"] = data.get("start") or datetime.date(today.year, 1, 1)
        data["end"] = data.get("end") or today
        if data["start"] > data["end"]:
            raise forms.ValidationError(_("The first day must not be after the last."))
        return data
