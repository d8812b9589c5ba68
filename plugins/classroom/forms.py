"""Forms: a guardian's enrolment on the portal (a service form of the engine: the case's
reference number is the enrolment's), staff enrolling on a family's behalf, the pick-up
list, the door, notices and the portal's attendance look-up."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.community import Household, Resident, validate_phone
from anju.permissions import use_picker

from . import care
from .access import enrolable_children
from .models import ClassGroup, Enrolment, Guardian


def open_classes():
    return (
        ClassGroup.objects.filter(term__ends_on__gte=timezone.localdate())
        .select_related("term")
        .order_by("term__starts_on", "starts_at", "pk")
    )


def _normal(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch.isalnum() and ch not in "室号楼栋单元")


def find_child(community, *, name: str, building: str, room: str, phone_last4: str):
    """The child of the register called ``name`` at ``building``/``room`` whose household
    has a phone ending in ``phone_last4``; None unless exactly one matches."""
    typed_building = _normal(building)
    typed_room = _normal(room)
    if not (typed_building and typed_room and name.strip()):
        return None
    households = Household.objects.filter(building__grid__community=community).select_related(
        "building"
    )
    matches = [
        h
        for h in households.filter(residents__name=name.strip()).distinct()
        if _normal(h.building.name) == typed_building
        and typed_room in (_normal(h.room), _normal(f"{h.unit}{h.room}"))
    ]
    if len(matches) != 1:
        return None
    household = matches[0]
    members = list(Resident.objects.filter(household=household))
    if not any((m.phone or "").endswith(phone_last4) for m in members if m.phone):
        return None
    children = [m for m in members if m.name == name.strip()]
    return children[0] if len(children) == 1 else None


class EnrolForm(forms.Form):
    """A guardian enrols a child on the portal, no account needed. The child is found in
    the register by name, address and the last four digits of a phone the household
    registered."""

    klass = forms.ModelChoiceField(
        label=_("Class"), queryset=ClassGroup.objects.none(), empty_label=None
    )
    child_name = forms.CharField(label=_("Child's name"), max_length=50)
    building = forms.CharField(label=_("Building"), max_length=50, help_text=_("For example 1号楼"))
    room = forms.CharField(label=_("Room"), max_length=20, help_text=_("For example 2单元301"))
    household_phone_last4 = forms.RegexField(
        label=_("Last four digits of a phone registered for the household"),
        regex=r"^\d{4}$",
        error_messages={"invalid": _("Enter four digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    guardian_name = forms.CharField(label=_("Your name"), max_length=50)
    relation = forms.ChoiceField(label=_("You are the child's"), choices=Guardian.Relation.choices)
    guardian_phone = forms.CharField(
        label=_("Your mobile number"), max_length=20, validators=[validate_phone]
    )
    parent_away_name = forms.CharField(
        label=_("Parent working away: name"), max_length=50, required=False
    )
    parent_away_relation = forms.ChoiceField(
        label=_("Parent working away: relation"),
        choices=[
            ("", "—"),
            (Guardian.Relation.MOTHER, Guardian.Relation.MOTHER.label),
            (Guardian.Relation.FATHER, Guardian.Relation.FATHER.label),
        ],
        required=False,
    )
    parent_away_phone = forms.CharField(
        label=_("Parent working away: mobile number"),
        max_length=20,
        required=False,
        validators=[validate_phone],
        help_text=_("They get an SMS when the child arrives and is picked up."),
    )
    consent = forms.BooleanField(
        label=_(
            "I am the child's guardian and agree to the classroom's care, and to SMS about "
            "arrival and pick-up."
        ),
        error_messages={"required": _("The guardian's consent is needed to enrol.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["klass"].queryset = open_classes()
        self.child = None

    def clean(self):
        data = super().clean()
        klass = data.get("klass")
        needed = ("child_name", "building", "room", "household_phone_last4")
        if klass is None or any(not data.get(key) for key in needed):
            return data
        child = find_child(
            klass.term.community,
            name=data["child_name"],
            building=data["building"],
            room=data["room"],
            phone_last4=data["household_phone_last4"],
        )
        if child is None:
            raise forms.ValidationError(
                _(
                    "No child of this community matches that name, address and phone. "
                    "Check them, or ask your grid worker to enrol the child."
                )
            )
        verdict = care.eligibility(child, klass)
        if not verdict.ok:
            raise forms.ValidationError(verdict.reason)
        if (
            Enrolment.objects.filter(klass=klass, child=child)
            .exclude(status=Enrolment.Status.CANCELLED)
            .exists()
        ):
            raise forms.ValidationError(_("The child is already in this class."))
        if data.get("parent_away_phone") and not data.get("parent_away_name"):
            self.add_error("parent_away_name", _("Give the parent's name too."))
        self.child = child
        return data


class StaffEnrolForm(forms.Form):
    """A grid worker or classroom staff enrols a child on the family's behalf."""

    child = forms.ModelChoiceField(label=_("Child"), queryset=Resident.objects.none())
    klass = forms.ModelChoiceField(label=_("Class"), queryset=ClassGroup.objects.none())
    consent_by = forms.CharField(
        label=_("Consent given by (guardian's name)"),
        max_length=50,
        error_messages={"required": _("Record which guardian gave consent.")},
    )
    guardian_relation = forms.ChoiceField(
        label=_("Guardian's relation"), choices=Guardian.Relation.choices
    )
    guardian_phone = forms.CharField(
        label=_("Guardian's mobile number"), max_length=20, validators=[validate_phone]
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:  # a search box over the children the user may enrol
            use_picker(self.fields["child"], user, enrolable_children)
        self.fields["klass"].queryset = open_classes()


class GuardianForm(forms.ModelForm):
    class Meta:
        model = Guardian
        fields = ["name", "relation", "phone", "may_pick_up", "works_away"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True


class NoticeForm(forms.Form):
    text = forms.CharField(
        label=_("Notice"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class LookupForm(forms.Form):
    """The portal's attendance look-up: the enrolment reference and the last four
    digits of the guardian's phone."""

    reference = forms.CharField(
        label=_("Enrolment reference number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone_last4 = forms.RegexField(
        label=_("Last four digits of your mobile number"),
        regex=r"^\d{4}$",
        error_messages={"invalid": _("Enter four digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_reference(self):
        return "".join(ch for ch in self.cleaned_data["reference"] if ch.isdigit())
