from django import forms

from anju.community.idnumbers import validate_phone
from anju.plugins import ServiceForm

from .models import Thing


class ThingForm(forms.Form):
    name = forms.CharField(max_length=50)
    phone = forms.CharField(max_length=20, validators=[validate_phone])


def handle(form, request) -> str:
    thing = Thing.objects.create(**form.cleaned_data)
    return f"T{thing.pk:05d}"


service_forms = [ServiceForm("thing", "Ask for a thing", ThingForm, handle)]
