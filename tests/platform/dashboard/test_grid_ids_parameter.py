"""The grid scope's ids travel as one array parameter (``anju.core.lookups.AnyOf``):
the same rows as ``__in``, one parameter instead of one per grid (a committee of 500
grids carried 500 into each of the dashboard's queries, several times over), and an
empty list still runs no query, alone or inside an OR."""

import re

import pytest
from django.db import connection
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext

from anju.community.models import Household
from anju.core.lookups import AnyOf
from anju.permissions.scope import scope_queryset, visible_grid_ids, visible_grids

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["committee", "grid_worker"])
def test_the_scope_reads_the_same_rows_with_one_parameter(town, role):
    user = town.users[role]
    ids = visible_grid_ids(user)
    assert ids  # the committee sees both grids, the grid worker grid 1
    expected = set(Household.objects.filter(building__grid__in=ids).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as captured:
        scoped = set(scope_queryset(Household.objects.all(), user).values_list("pk", flat=True))
        grids = set(visible_grids(user).values_list("pk", flat=True))
    assert scoped == expected and grids == set(ids)
    assert len(captured) == 2
    if connection.vendor != "postgresql":
        return  # elsewhere AnyOf is a plain IN list
    for query in captured.captured_queries:
        # A list of ids never: a subquery of the related rows (scope.grid_q) may be.
        sql = query["sql"]
        assert "= ANY(" in sql and not re.search(r" IN \((?!SELECT)", sql), sql


def test_an_empty_list_matches_nothing_without_a_query(town):
    with CaptureQueriesContext(connection) as captured:
        assert list(Household.objects.filter(AnyOf(F("building__grid"), []))) == []
    assert len(captured) == 0
    # Inside an OR the empty branch drops out, as an empty __in does.
    either = Household.objects.filter(
        Q(AnyOf(F("building__grid"), [])) | Q(pk=town.household1.pk)
    ).values_list("pk", flat=True)
    assert list(either) == [town.household1.pk]
