"""The figures page: case figures of the cases the user may see over a period."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..visibility import visible_cases
from .common import CaseAdminMixin

# --- figures --------------------------------------------------------------------------


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned


def _with_bars(rows: list[dict], key: str = "total") -> list[dict]:
    """Each row with ``bar``: its share of the largest row, in percent, for a CSS bar."""
    top = max((row.get(key) or 0 for row in rows), default=0)
    return [{**row, "bar": round((row.get(key) or 0) * 100 / top) if top else 0} for row in rows]


class FiguresView(CaseAdminMixin, WagtailAdminTemplateMixin, TemplateView):
    """The figures of the cases the user may see, over a period of filing dates."""

    template_name = "anju_services/admin/figures.html"
    page_title = gettext_lazy("Case figures")
    header_icon = "table"

    def get_context_data(self, **kwargs):
        from ..figures import compute

        context = super().get_context_data(**kwargs)
        form = PeriodForm(self.request.GET or None)
        start = end = None
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        figures = compute(visible_cases(self.request.user), start=start, end=end).as_dict()
        share = figures.get("resolved_within_grid_share")
        context.update(
            form=form,
            figures=figures,
            within_grid_percent=round(share * 100) if share is not None else None,
            by_grid=_with_bars(figures.get("by_grid", [])),
            by_service=_with_bars(figures.get("by_service", [])),
            by_month=_with_bars(figures.get("by_month", [])),
        )
        return context
