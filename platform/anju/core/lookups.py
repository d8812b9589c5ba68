"""``AnyOf``: a list of values as one array parameter.

Django compiles ``field__in=[…]`` parameter by parameter, and psycopg then splits and
binds the statement placeholder by placeholder: a list of 500 grid ids, carried by the
grid scope into every scoped query (several times over in the dashboard's tiles), cost
more app CPU than the queries took in PostgreSQL. ``column = ANY(%s)`` sends the list
as a single array; PostgreSQL turns an ``IN`` list into the same ``= ANY(array)``, so
the plan does not change.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import Lookup


class AnyOf(Lookup):
    """``column = ANY(%s)`` with the whole list as one array parameter on PostgreSQL
    (``IN (%s, %s, …)`` elsewhere). An empty list matches nothing without a query, as
    ``__in=[]`` does. Used as an expression: ``filter(AnyOf(F("building__grid"), ids))``
    or inside a ``Q``."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        values = list(self.rhs)
        if not values:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]
