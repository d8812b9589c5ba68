"""Filtering API lists without 500s: numbers beyond what the database can hold.

``?grid=99999999999999999999`` reached the database as is, and SQLite answers a
number over 64 bits with OverflowError (PostgreSQL with a DataError): a 500. Every
filter that takes an id or a number is checked here before the query is built; a value
no row can have is a 400 that names the parameter.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

#: The largest id a BigAutoField (or any 64-bit integer column) can hold.
MAX_ID = 2**63 - 1
_INTEGER = re.compile(r"\s*[-+]?\d+\s*")
_NUMBER_FIELDS = (
    forms.IntegerField,
    forms.DecimalField,
    forms.FloatField,
    forms.ModelChoiceField,
    forms.ModelMultipleChoiceField,
)


def out_of_range(value: str) -> bool:
    """Whether ``value`` is an integer no 64-bit column can hold."""
    return bool(_INTEGER.fullmatch(value)) and abs(int(value)) > MAX_ID


class RangeCheckedFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        errors = {}
        for name, filter_ in filterset.filters.items():
            if not issubclass(filter_.field_class, _NUMBER_FIELDS):
                continue
            for param in (name, f"{name}__in"):
                values = request.query_params.getlist(param)
                if any(out_of_range(part) for value in values for part in value.split(",")):
                    errors[param] = [_("No item has this number.")]
        if errors:
            raise ValidationError(errors)
        return filterset
