"""Page-numbered API lists whose count stops at a cap (the staff API's lists).

DRF's ``PageNumberPagination`` counts every matching row on every page: over a county
(1,000,000 visits, 300,000 residents) that exact ``COUNT(*)`` was most of a superuser's
list time (150 ms for the visits, where the page itself takes a few). Here the count is
exact up to ``API_COUNT_CAP`` rows (10,000) — every grid's and community's lists — and
past it the answer says "at least": ``count`` is the cap and ``count_capped`` is true.
Paging is unchanged: ``?page=N`` (any N: there is no last page to check against, a page
past the end is a 404 as before), ``next`` and ``previous`` links, ``?page_size=``
where the view allows it. Whether there is a next page is found by reading one row more
than the page, never from the count.

Shape (docs/api.md)::

    {"count": 10000, "count_capped": true, "next": "...?page=2", "previous": null,
     "results": [...]}
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

#: Rows counted exactly before a list answers "at least this many" (setting API_COUNT_CAP).
COUNT_CAP = 10_000


#: The largest row offset a page may start at (far beyond any list, well inside bigint).
MAX_OFFSET = 2**53


def count_cap() -> int:
    return int(getattr(settings, "API_COUNT_CAP", COUNT_CAP))


def capped_count(queryset, cap: int) -> tuple[int, bool]:
    """(rows, capped): the exact number of rows of ``queryset`` if at most ``cap``, else
    (cap, True). One query that stops reading after cap + 1 rows."""
    if not isinstance(queryset, QuerySet):  # a list a view built itself
        counted = len(queryset[: cap + 1])
    elif queryset.query.combinator:  # union(): values() is not allowed after it
        counted = queryset[: cap + 1].count()
    else:
        counted = queryset.order_by().values("pk")[: cap + 1].count()
    return (cap, True) if counted > cap else (counted, False)


class CappedCountPagination(PageNumberPagination):
    """Pages of 50 by number, with a count exact up to ``API_COUNT_CAP``."""

    page_size_query_param = None
    invalid_page_message = _("Invalid page.")
    #: Read a page as its ids first, then its rows by id (``page_rows``).
    ids_first = False

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        self.request = request
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            raise NotFound(self.invalid_page_message)
        try:
            self.number = int(raw)
        except (TypeError, ValueError):
            raise NotFound(self.invalid_page_message) from None
        # Past any list there could be (an OFFSET beyond PostgreSQL's bigint is an error,
        # not an empty page): an invalid page, as DRF answers one past the last.
        if self.number < 1 or (self.number - 1) * page_size > MAX_OFFSET:
            raise NotFound(self.invalid_page_message)
        start = (self.number - 1) * page_size
        rows = self.page_rows(queryset, start, start + page_size + 1)
        self.has_next = len(rows) > page_size
        rows = rows[:page_size]
        if not rows and self.number > 1:
            raise NotFound(self.invalid_page_message)
        if not self.has_next:
            # The last page: the count is what came before it plus what is on it.
            self.count, self.count_capped = start + len(rows), False
            if self.count > count_cap():
                self.count, self.count_capped = count_cap(), True
        else:
            self.count, self.count_capped = capped_count(queryset, count_cap())
        return rows

    def page_rows(self, queryset, start: int, stop: int) -> list:
        """The rows ``start:stop`` of the list, in its order.

        With ``ids_first`` in two queries: the page's ids from the list's own table
        alone, then those rows with everything joined. Over a county the one query
        that joins and sorts at once was planned badly for a person who sees a few
        hundred rows of 100,000 (a grid worker's cases): the wide joined rows made
        PostgreSQL walk the whole date index backwards, filtering row by row (20–40
        ms), where the narrow query reads the few rows by their indexes and sorts them
        (under 1 ms). The second query reads 51 rows by primary key."""
        if not (
            self.ids_first and isinstance(queryset, QuerySet) and not queryset.query.combinator
        ):
            return list(queryset[start:stop])
        ids = list(queryset.values_list("pk", flat=True)[start:stop])
        if not ids:
            return []
        found = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_capped": self.count_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] = str(
            _("Exact up to the server's cap (10,000 rows); the cap when count_capped.")
        )
        answer["properties"]["count_capped"] = {
            "type": "boolean",
            "description": str(_("True when there are more rows than count says.")),
        }
        answer["required"] = ["count", "count_capped", "results"]
        return answer

    def get_html_context(self):
        return {
            "previous_url": self.get_previous_link(),
            "next_url": self.get_next_link(),
            "page_links": [],
        }
