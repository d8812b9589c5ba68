"""The notice editor's form (NoticePage.base_form_class).

Who a notice is for is checked here, on what the editor chose, not in NoticePage.clean:
the many-to-many choices (grids, buildings, groups) are saved only after the page is, so
the model cannot see them while it is validated — it saw none on create and the old ones
on edit, and refused every targeted notice with "choose at least one".
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

MISSING = {
    "grids": (
        "audience_grids",
        _("Choose at least one grid for this audience, or choose everyone."),
    ),
    "buildings": (
        "audience_buildings",
        _("Choose at least one building for this audience, or choose everyone."),
    ),
    "groups": (
        "audience_groups",
        _("Choose at least one special group for this audience, or choose everyone."),
    ),
}


class NoticePageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if audience in MISSING:
            field, message = MISSING[audience]
            if field in self.fields and not cleaned.get(field):
                self.add_error(field, message)
        if audience == "ages":
            youngest = cleaned.get("audience_age_min")
            oldest = cleaned.get("audience_age_max")
            if youngest is None and oldest is None:
                self.add_error(
                    "audience_age_min",
                    _("Give the youngest age, the oldest age, or both, or choose everyone."),
                )
            elif youngest is not None and oldest is not None and youngest > oldest:
                self.add_error(
                    "audience_age_max", _("The oldest age cannot be below the youngest.")
                )
        return cleaned


__all__ = ["NoticePageForm", "forms"]
