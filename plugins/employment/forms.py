"""Forms of the employment plugin: the portal's "I'm interested", the job board's
filters, and the staff's course actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from anju.permissions import ResidentPickerField

from .access import station_residents
from .fields import JobTag
from .models import Place, open_postings


class InterestForm(forms.Form):
    """ "I'm interested" in a posting. The engine adds the name and phone number (or the
    signed-in account); the case goes to the employment staff."""

    posting = forms.IntegerField(label=_("job posting"), widget=forms.HiddenInput)
    posting_title = forms.CharField(
        label=_("job title"), required=False, max_length=255, widget=forms.HiddenInput
    )
    message = forms.CharField(
        label=_("anything to add"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example when you can start, or a question."),
    )

    def clean(self):
        cleaned = super().clean()
        pk = cleaned.get("posting")
        if pk is not None:
            posting = open_postings().filter(pk=pk).first()
            if posting is None:
                self.add_error(None, _("This job posting is closed or no longer exists."))
            else:
                self.posting = posting
                cleaned["posting_title"] = f"{posting.title} · {posting.employer}"
        return cleaned


class JobFilterForm(forms.Form):
    """The job board's filters, read forgivingly: a bad value is ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    place = forms.ChoiceField(
        label=_("place"), required=False, choices=[("", _("Anywhere"))] + Place.choices
    )
    pay = forms.IntegerField(label=_("pay at least (yuan a month)"), required=False, min_value=0)
    tag = forms.ChoiceField(
        label=_("suits"), required=False, choices=[("", _("Anyone"))] + JobTag.choices
    )


class EnrolForm(forms.Form):
    # The station's staff enrol residents of every grid, found by name and room; others,
    # residents of their own grids (a search box, never the register: ResidentPickerField).
    resident = ResidentPickerField(label=_("resident"), source=station_residents)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].bind(user)
