"""Plugin receivers of the engine's ``case_changed``: heard only where the plugin is
active, after the sender commits, and isolated — a raising receiver neither rolls back
the sender's work (the SLA sweep's batch) nor stops the others."""

import logging

import pytest
from django.utils import timezone

from anju.core import plugingate
from anju.plugins import activation
from anju.services import sla
from anju.services.models import Case, Level
from tests.dummy_plugin import receivers

from .conftest import file_case

HOUR = timezone.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _fresh_receiver():
    receivers.heard.clear()
    receivers.fail["now"] = False
    yield
    receivers.fail["now"] = False


def overdue_cases(service, world, count):
    cases = [
        file_case(service, household=world.household1, phone=f"1381234{i:04d}")
        for i in range(count)
    ]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(accept_due=timezone.now() - HOUR)
    return cases


def test_an_active_plugin_hears_after_commit(
    world, built_service, django_capture_on_commit_callbacks
):
    cases = overdue_cases(built_service, world, 3)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sla.sweep_overdue()
    # Nothing yet: the receiver waits for the sweep's transaction to commit.
    assert receivers.heard == []
    for callback in callbacks:
        callback()
    escalated = [pks for kind, pks in receivers.heard if kind == "escalated"]
    assert sorted(pk for pks in escalated for pk in pks) == sorted(c.pk for c in cases)


def test_a_raising_receiver_does_not_roll_back_the_sweeps_batch(
    world,
    built_service,
    django_capture_on_commit_callbacks,
    caplog,
):
    cases = overdue_cases(built_service, world, 5)
    receivers.fail["now"] = True
    with caplog.at_level(logging.ERROR, logger="anju.plugins"):
        with django_capture_on_commit_callbacks(execute=True):
            sla.sweep_overdue()
    # The receiver ran and failed...
    assert receivers.heard and "failed; the sender's work stands" in caplog.text
    # ...and every case of the batch is still escalated.
    levels = set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("level", flat=True))
    assert levels == {Level.COMMUNITY}


def test_a_disabled_plugins_receiver_is_not_called(
    world,
    built_service,
    django_capture_on_commit_callbacks,
):
    overdue_cases(built_service, world, 2)
    activation.disable(world.community, "dummy_plugin")
    with django_capture_on_commit_callbacks(execute=True):
        sla.sweep_overdue()
    assert receivers.heard == []
    # The core's own work happened all the same.
    assert Case.objects.filter(level=Level.COMMUNITY).count() == 2


def test_receivers_hear_only_their_communitys_cases(
    world, built_service, django_capture_on_commit_callbacks
):
    from tests import factories as f

    here = overdue_cases(built_service, world, 2)
    other = f.CommunityFactory(code="elsewhere")
    activation.disable(other, "dummy_plugin")
    # A case of the other community, overdue in the same sweep.
    grid = f.GridFactory(community=other, number=9)
    household = f.HouseholdFactory(building=f.BuildingFactory(grid=grid))
    there = file_case(built_service, household=household, phone="13900000000")
    Case.objects.filter(pk=there.pk).update(accept_due=timezone.now() - HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        sla.sweep_overdue()
    heard = {pk for _kind, pks in receivers.heard for pk in pks}
    assert heard == {c.pk for c in here}


def test_the_gate_refuses_to_answer_before_it_is_installed(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setattr(plugingate, "_gate", None)
    with pytest.raises(ImproperlyConfigured, match="plugin gate"):
        plugingate.is_active(None, "dummy_plugin")
