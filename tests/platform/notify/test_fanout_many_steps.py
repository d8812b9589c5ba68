"""A fan-out of many steps with tasks in-process (``make run``, CELERY_TASK_ALWAYS_EAGER):
each step's hand-on used to start the next step inside the one before, so a notice to
about 50,000 residents (100 steps of 500) ran out of Python's recursion limit and the
fan-out stopped part-way, its row left to retry. Steps now run one after another."""

import inspect
import sys

import pytest

from anju.community.models import Resident
from anju.core.models import OutboxTask
from anju.notify.models import Message

from .conftest import draft_notice, make_households, make_residents, publish

# Transactional: the publish really commits, so its on-commit hand-on runs the steps at
# once, as it does outside tests (a test transaction would queue them instead).
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_fan_out_of_more_steps_than_the_recursion_limit_runs_to_the_end(world, settings):
    steps = 60
    settings.NOTICES_FAN_OUT_STEP = 1
    households = make_households(world.building1, 10)
    make_residents(households, steps - 2)  # and world's two: one step each
    old_limit = sys.getrecursionlimit()
    # 250 frames over what pytest already uses: far fewer than 60 nested steps needed
    # (each went through Celery's eager call and the on-commit hooks), plenty for one.
    sys.setrecursionlimit(len(inspect.stack(0)) + 250)
    try:
        page = publish(draft_notice())
    finally:
        sys.setrecursionlimit(old_limit)
    row = OutboxTask.objects.get()
    assert row.last_error == ""
    assert row.state == OutboxTask.State.DONE
    assert row.steps == steps + 1  # the last step finds nobody left
    assert Message.objects.filter(dedup_key__startswith=f"notice:{page.pk}:").count() == (
        Resident.objects.filter(phone__isnull=False).count()
    )
