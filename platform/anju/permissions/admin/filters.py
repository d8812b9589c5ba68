"""Listing filters shared by scoped admin views: choices limited to what the user sees."""

from __future__ import annotations

import django_filters
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from anju.permissions.scope import visible_grids


def _grid_choices(request):
    return visible_grids(getattr(request, "user", None)).select_related(None)


def grid_filter(path):
    return django_filters.ModelChoiceFilter(
        field_name=path,
        queryset=_grid_choices,
        label=capfirst(_("grid")),
        empty_label=capfirst(_("All")),
    )
