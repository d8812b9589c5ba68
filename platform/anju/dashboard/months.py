"""The month a board is for: ``?month=YYYY-MM``, this month when absent."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: The earliest month one may ask for (nothing in a register predates it).
EARLIEST = datetime.date(2000, 1, 1)


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def clean_month(self) -> datetime.date:
        text = (self.cleaned_data.get("month") or "").strip()
        this_month = timezone.localdate().replace(day=1)
        if not text:
            return this_month
        try:
            month = datetime.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise ValidationError(
                _("Enter a month as year and month, for example 2026-11."), code="invalid"
            ) from None
        if month > this_month:
            raise ValidationError(_("Choose this month or an earlier one."), code="future")
        if month < EARLIEST:
            raise ValidationError(_("Choose a month from 2000 on."), code="early")
        return month


def month_from(request) -> tuple[datetime.date, MonthForm]:
    """The month asked for (this month if the answer is invalid) and the bound form,
    whose errors say why."""
    form = MonthForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["month"], form
    if not form.is_bound:
        form = MonthForm(initial={"month": f"{timezone.localdate():%Y-%m}"})
    return timezone.localdate().replace(day=1), form
