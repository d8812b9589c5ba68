"""API (Django REST framework) fields the core shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

#: The years a moment the API accepts may fall in.
SANE_YEARS = (1900, 2100)


class SaneDateTimeField(serializers.DateTimeField):
    """A moment from 1900 to 2100, refused with a clear message otherwise.

    No record of ours is older or later, and before 1901 a local time in China has no
    standard offset (Asia/Shanghai's local mean time is +08:05:43), so a moment in the
    year 739 came back as ``0739-05-30T10:27:43+08:05:43``, which no client can read.
    """

    default_error_messages = {
        "out_of_range": _("Enter a date and time between the years {first} and {last}."),
    }

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        first, last = SANE_YEARS
        if not first <= moment.year <= last:
            self.fail("out_of_range", first=first, last=last)
        return moment
