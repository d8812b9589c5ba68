"""Migrations 0003/0004: the copies of the case's level and outcome go, and what went
beyond the community ladder (a hand-over, a withdrawal) is kept first."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from plugins.disputes.models import Dispute, DisputeEscalation, Outcome

from .conftest import file_dispute

BEFORE = [("disputes", "0002_party_outlives_resident")]
AFTER = [("disputes", "0004_drop_copies_of_the_case")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_endings_are_kept_and_the_copies_dropped(world):
    referred = file_dispute(world.household1)
    withdrawn = file_dispute(world.household1)
    settled = file_dispute(world.household2)
    resolved = timezone.now() - datetime.timedelta(days=3)
    old = _migrate(BEFORE)
    OldCase = old.get_model("services", "Case")
    OldCaseEvent = old.get_model("services", "CaseEvent")
    OldDispute = old.get_model("disputes", "Dispute")
    OldEscalation = old.get_model("disputes", "DisputeEscalation")
    OldCase.objects.filter(pk__in=[referred.case_id, withdrawn.case_id]).update(
        status="resolved", resolved_at=resolved
    )
    OldCase.objects.filter(pk__in=[referred.case_id, settled.case_id]).update(level="community")
    OldCase.objects.filter(pk=settled.case_id).update(status="closed", resolved_at=resolved)
    # As the plugin kept them: referred by way of the community, with both steps copied.
    OldDispute.objects.filter(pk=referred.pk).update(
        level="judicial", outcome="referred", resolved_at=resolved
    )
    OldCaseEvent.objects.create(case_id=referred.case_id, kind="escalated", text="大事")
    OldEscalation.objects.create(
        dispute_id=referred.pk, from_level="grid", to_level="community", reason="大事"
    )
    OldEscalation.objects.create(
        dispute_id=referred.pk, from_level="community", to_level="judicial", reason="诉讼"
    )
    OldDispute.objects.filter(pk=withdrawn.pk).update(outcome="withdrawn", resolved_at=resolved)
    # A grid → community row with no entry in the case's timeline is kept.
    OldDispute.objects.filter(pk=settled.pk).update(
        level="community", outcome="resolved_community", resolved_at=resolved
    )
    OldEscalation.objects.create(
        dispute_id=settled.pk, from_level="grid", to_level="community", reason="旧记录"
    )

    _migrate(AFTER)

    got = {d.pk: d for d in Dispute.objects.for_lists()}
    assert (got[referred.pk].level, got[referred.pk].outcome) == ("judicial", Outcome.REFERRED)
    assert got[referred.pk].resolved_at == resolved
    assert (got[withdrawn.pk].level, got[withdrawn.pk].outcome) == ("grid", Outcome.WITHDRAWN)
    assert got[settled.pk].outcome == Outcome.RESOLVED_IN_COMMUNITY
    assert sorted((e.dispute_id, e.to_level) for e in DisputeEscalation.objects.all()) == sorted(
        [(referred.pk, "judicial"), (settled.pk, "community")]
    )
    columns = {
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), "disputes_dispute"
        )
    }
    assert not columns & {"level", "outcome", "resolved_at", "follow_up_due", "relapses"}

    # And back: the copies are filled in again from the case.
    old = _migrate(BEFORE)
    back = {d.pk: d for d in old.get_model("disputes", "Dispute").objects.all()}
    assert (back[referred.pk].level, back[referred.pk].outcome) == ("judicial", "referred")
    assert back[withdrawn.pk].outcome == "withdrawn"
    assert back[settled.pk].outcome == "resolved_community"
    _migrate(AFTER)
