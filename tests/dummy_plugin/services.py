from django import forms

from anju.plugins import ServiceForm

from .models import Thing


class ThingForm(forms.Form):
    name = forms.CharField(max_length=50)
    how_many = forms.IntegerField(min_value=1, max_value=10, required=False)


def save_thing(case, form) -> None:
    """The plugin's own record, saved in the case's transaction."""
    Thing.objects.create(name=form.cleaned_data["name"], phone=case.requester_phone)


service_forms = [ServiceForm("thing", "Ask for a thing", ThingForm, save_thing)]
