"""The demo: a year of disputes, all settled, most in the grid; idempotent."""

import random

import pytest

from anju.services.models import Case, Status
from plugins.disputes.demo import load_demo
from plugins.disputes.figures import dispute_figures
from plugins.disputes.models import Dispute, MediationSession, ScreeningRound

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(world):
    """Give grid 2 a grid worker too, as every demo grid has."""
    from anju.permissions import roles
    from tests import factories as f

    f.seat(f.UserFactory(username="worker2", role=roles.GRID_WORKER), world.grid2)
    return world


def test_demo_loads_a_year_of_settled_disputes(demo_world):
    out = []
    load_demo(random.Random(1), out, {})
    disputes = Dispute.objects.all()
    assert 15 <= disputes.count() <= 25
    assert not disputes.open().exists()
    assert not Case.objects.exclude(status=Status.CLOSED).exists()
    figures = dispute_figures(disputes)
    assert figures.resolution_rate == 1.0
    assert figures.within_grid_share > 0.5  # most settled in the grid
    assert MediationSession.objects.count() >= disputes.count()
    assert ScreeningRound.objects.exists()
    assert "disputes:" in out[-1]


def test_demo_is_idempotent(demo_world):
    load_demo(random.Random(1), [], {})
    counts = (Dispute.objects.count(), Case.objects.count(), ScreeningRound.objects.count())
    out = []
    load_demo(random.Random(1), out, {})
    assert (Dispute.objects.count(), Case.objects.count(), ScreeningRound.objects.count()) == counts
    assert out == ["disputes: already loaded"]
