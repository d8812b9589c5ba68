"""The API's exception handler: DRF's, plus a number no database column can hold.

A related row's id in a request body (``{"notice": 10**30}``) reaches the database as
is, and SQLite answers a number over 64 bits with OverflowError: a 500 from every
``PrimaryKeyRelatedField``. Filters are checked before the query (anju.core.filters);
a body's ids end here as a 400, whichever field held them.
"""

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, OverflowError):
        return Response(
            {"detail": _("A number in the request is larger than any record's.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)
