"""The figures, checked against values worked out by hand on a fixed set of disputes,
and the yearly Excel report."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from anju.services.models import Case, Level, Status
from plugins.disputes.figures import dispute_figures
from plugins.disputes.models import Dispute, Ending, Outcome

from .conftest import file_dispute

pytestmark = pytest.mark.django_db


def at(*args):
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


# The case each outcome is read from: (status, level) and the plugin's own ending.
CASES = {
    "": (Status.IN_PROGRESS, Level.GRID, ""),
    Outcome.RESOLVED_IN_GRID: (Status.CLOSED, Level.GRID, ""),
    Outcome.RESOLVED_IN_COMMUNITY: (Status.RESOLVED, Level.COMMUNITY, ""),
    Outcome.REFERRED: (Status.RESOLVED, Level.COMMUNITY, Ending.TOWNSHIP),
    Outcome.WITHDRAWN: (Status.RESOLVED, Level.GRID, Ending.WITHDRAWN),
}


def _dispute(household, kind, filed, outcome="", resolved=None):
    dispute = file_dispute(household, dispute_type=kind)
    status, level, ending = CASES[outcome]
    Case.objects.filter(pk=dispute.case_id).update(
        created_at=filed, status=status, level=level, resolved_at=resolved
    )
    Dispute.objects.filter(pk=dispute.pk).update(ending=ending, ended_at=resolved)
    assert Dispute.objects.get(pk=dispute.pk).outcome == outcome
    return dispute


@pytest.fixture
def fixed_year(world):
    """Eight disputes around 2025 (local time):

    =  ====  =========  ================  ====================  =========
    #  grid  type       filed             outcome               days
    =  ====  =========  ================  ====================  =========
    1  1     neighbour  2025-01-10 09:00  in the grid           2
    2  1     family     2025-02-01 09:00  in the grid           4
    3  2     property   2025-03-01 09:00  in the community      10
    4  2     neighbour  2025-04-01 09:00  referred              —
    5  1     wages      2025-05-01 09:00  withdrawn             —
    6  1     property   2025-06-01 09:00  open                  —
    7  1     neighbour  2024-12-31 23:00  in the grid           (not in 2025)
    8  2     family     2025-12-31 22:00  in the grid           1
    =  ====  =========  ================  ====================  =========
    """
    h1, h2 = world.household1, world.household2
    grid, community = Outcome.RESOLVED_IN_GRID, Outcome.RESOLVED_IN_COMMUNITY
    _dispute(h1, "neighbour", at(2025, 1, 10, 9), grid, at(2025, 1, 12, 9))
    _dispute(h1, "family", at(2025, 2, 1, 9), grid, at(2025, 2, 5, 9))
    _dispute(h2, "property", at(2025, 3, 1, 9), community, at(2025, 3, 11, 9))
    _dispute(h2, "neighbour", at(2025, 4, 1, 9), Outcome.REFERRED, at(2025, 4, 20, 9))
    _dispute(h1, "wages", at(2025, 5, 1, 9), Outcome.WITHDRAWN, at(2025, 5, 2, 9))
    _dispute(h1, "property", at(2025, 6, 1, 9))
    _dispute(h1, "neighbour", at(2024, 12, 31, 23), grid, at(2025, 1, 1, 10))
    _dispute(h2, "family", at(2025, 12, 31, 22), grid, at(2026, 1, 1, 22))


YEAR = {"start": datetime.date(2025, 1, 1), "end": datetime.date(2025, 12, 31)}


def test_figures_for_the_year(fixed_year):
    f = dispute_figures(Dispute.objects.all(), **YEAR)
    assert f.raised == 7  # all but #7
    assert f.resolved == 4  # 1, 2, 3, 8
    assert (f.resolved_in_grid, f.resolved_in_community) == (3, 1)
    assert (f.referred, f.withdrawn, f.open) == (1, 1, 1)
    assert f.resolution_rate == round(4 / 6, 4)  # the withdrawn one does not count
    assert f.within_grid_share == 0.75  # 3 of 4
    assert f.median_days_to_resolve == 3.0  # median of 1, 2, 4, 10
    by_type = {row["type"]: (row["raised"], row["resolved"]) for row in f.by_type}
    assert by_type == {
        "family": (2, 2),
        "neighbour": (2, 1),
        "property": (2, 1),
        "wages": (1, 0),
        "land": (0, 0),
        "other": (0, 0),
    }


def test_figures_for_one_grid(world, fixed_year):
    f = dispute_figures(Dispute.objects.all(), grid=world.grid1, **YEAR)
    assert (f.raised, f.resolved, f.withdrawn, f.open) == (4, 2, 1, 1)  # 1, 2, 5, 6
    assert f.resolution_rate == round(2 / 3, 4)
    assert f.within_grid_share == 1.0
    assert f.median_days_to_resolve == 3.0  # median of 2 and 4


def test_figures_for_a_short_period(fixed_year):
    f = dispute_figures(
        Dispute.objects.all(), start=datetime.date(2024, 12, 31), end=datetime.date(2025, 1, 31)
    )
    assert (f.raised, f.resolved) == (2, 2)  # 7 and 1
    assert f.resolution_rate == 1.0
    assert f.median_days_to_resolve == round((2 + (11 / 24)) / 2, 1)  # 2 and 11 hours


def test_no_disputes_no_rates(world):
    f = dispute_figures(Dispute.objects.all(), **YEAR)
    assert f.raised == 0
    assert f.resolution_rate is None and f.within_grid_share is None
    assert f.median_days_to_resolve is None


def test_figures_take_a_constant_number_of_queries(fixed_year, django_assert_num_queries):
    with django_assert_num_queries(3):
        dispute_figures(Dispute.objects.all(), **YEAR)


def test_figures_in_the_api_are_scoped(world, fixed_year, client):
    client.force_login(world.users["committee"])
    data = client.get("/api/disputes/figures/", {"start": "2025-01-01", "end": "2025-12-31"}).json()
    assert (data["raised"], data["resolved"]) == (7, 4)
    client.force_login(world.users["grid_worker"])  # grid 1 only
    data = client.get("/api/disputes/figures/", {"start": "2025-01-01", "end": "2025-12-31"}).json()
    assert (data["raised"], data["resolved"], data["resolution_rate"]) == (4, 2, round(2 / 3, 4))


def test_figures_page(world, fixed_year, client):
    client.force_login(world.users["committee"])
    response = client.get("/admin/disputes/figures/", {"start": "2025-01-01", "end": "2025-12-31"})
    assert response.status_code == 200
    assert response.context["figures"].raised == 7


def test_yearly_report_in_excel(world, fixed_year, client):
    client.force_login(world.users["committee"])
    response = client.get("/admin/disputes/figures/report.xlsx", {"year": "2025"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    values = list(summary.values())
    assert values[:2] == [7, 4]  # raised, resolved
    assert 66.7 in values and 75.0 in values and 3.0 in values
    listing = book.worksheets[3]
    assert listing.max_row == 1 + 7
    text = " ".join(str(c) for row in listing.iter_rows(values_only=True) for c in row)
    assert "13955556666" not in text and "外来人员" not in text  # no parties in the report
