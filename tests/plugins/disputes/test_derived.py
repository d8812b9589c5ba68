"""A dispute's level and outcome have one answer each: the Python properties of
``Dispute`` (pages, the API, the report) and the SQL of ``DisputeQuerySet.with_state``
(lists' filters, the figures) agree in every state a case and the plugin's ending can be
in."""

import datetime
import itertools

import pytest
from django.utils import timezone

from anju.services.models import Case, Level, Status
from plugins.disputes.models import Dispute, DisputeLevel, Ending, Outcome

from .conftest import file_dispute

pytestmark = pytest.mark.django_db


def test_python_and_sql_agree_in_every_state(world):
    dispute = file_dispute(world.household1)
    resolved = timezone.now().replace(microsecond=123456)
    other = resolved - datetime.timedelta(days=3)
    seen = set()
    times = [(None, resolved), (resolved, resolved), (other, resolved), (None, None)]
    for status, level, ending, (ended_at, case_resolved_at) in itertools.product(
        Status.values, Level.values, ["", *Ending.values], times
    ):
        Case.objects.filter(pk=dispute.case_id).update(
            status=status, level=level, resolved_at=case_resolved_at
        )
        Dispute.objects.filter(pk=dispute.pk).update(ending=ending, ended_at=ended_at)
        row = Dispute.objects.for_lists().get(pk=dispute.pk)
        state = (status, level, ending, ended_at, case_resolved_at)
        assert (row.level, row.outcome) == (row.current_level, row.current_outcome), state
        assert row.is_open == (row.outcome == ""), state
        assert row.is_open == Dispute.objects.open().filter(pk=dispute.pk).exists(), state
        pending = Dispute.objects.follow_up_pending().filter(pk=dispute.pk).exists()
        assert pending == (row.follow_up_due is not None), state
        seen.add((row.level, row.outcome))
    # Every level and every outcome is reachable.
    assert {level for level, _o in seen} == set(DisputeLevel.values)
    assert {outcome for _l, outcome in seen} == {"", *Outcome.values}


def test_an_ending_describes_only_the_resolution_it_was_made_at(world):
    dispute = file_dispute(world.household1)
    resolved = timezone.now()
    Case.objects.filter(pk=dispute.case_id).update(
        status=Status.RESOLVED, level=Level.COMMUNITY, resolved_at=resolved
    )
    Dispute.objects.filter(pk=dispute.pk).update(ending=Ending.TOWNSHIP, ended_at=resolved)
    dispute = Dispute.objects.for_lists().get(pk=dispute.pk)
    assert (dispute.level, dispute.outcome) == ("township", Outcome.REFERRED)
    assert dispute.follow_up_due is None and dispute.days_to_resolve is None
    # A later resolution (after a relapse) is the case's own again.
    later = resolved + datetime.timedelta(days=2)
    Case.objects.filter(pk=dispute.case_id).update(resolved_at=later)
    dispute = Dispute.objects.for_lists().get(pk=dispute.pk)
    assert (dispute.level, dispute.outcome) == ("community", Outcome.RESOLVED_IN_COMMUNITY)
    assert dispute.resolved_at == later
