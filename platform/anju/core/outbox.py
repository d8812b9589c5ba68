"""A transactional outbox for the background work people's actions start.

Publishing a notice, for instance, must announce it to every targeted resident. Sending a
Celery task from inside the publish (or even right after it commits) loses the work when
the broker is down, and a worker killed half-way leaves the rest for the broker to
re-deliver an hour later. Here instead:

* ``schedule(handler, key=..., **kwargs)`` writes an :class:`~anju.core.models.OutboxTask`
  row in the caller's transaction: the action and the record of its work commit together,
  or neither does;
* once the transaction commits the row is handed to a worker (``anju.run_outbox_task``);
  if the broker is down that fails quietly and the row waits;
* a worker takes the row for a lease (``OUTBOX_LEASE`` seconds), runs its handler for one
  step and records the outcome. A handler works in resumable steps: it returns
  :class:`Resume` with the arguments of the next step (a cursor), which is saved and
  handed on; anything else means done. A step must be safe to run twice (the fan-out's
  messages have dedup keys), since a worker may die after doing it and before saying so;
* beat's sweep (``anju.sweep_outbox``, every minute) hands on every row still pending
  past its due time: never sent, lost with a killed worker (its lease ran out), or
  failed and waiting to retry.

Handlers are plain functions registered under a name (``register``), so what a row does
is found by that name in any process, whatever module defines it.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import OutboxTask

logger = logging.getLogger("anju.outbox")

LEASE = 120.0  # seconds a worker holds a row for one step (setting OUTBOX_LEASE)
GRACE = 60.0  # seconds a committed row may wait for its first worker (OUTBOX_GRACE)
MAX_ATTEMPTS = 10  # failed steps before a row is given up (OUTBOX_MAX_ATTEMPTS)
RETRY_BACKOFF = 30.0  # seconds after the first failure; doubled after each one

_handlers: dict[str, Callable[..., object]] = {}


@dataclass(frozen=True)
class Resume:
    """Returned by a handler whose work is not finished: run it again with ``kwargs``.
    ``result`` is what this step achieved (for logs and callers running all steps)."""

    kwargs: dict = field(default_factory=dict)
    result: object = None


def register(name: str) -> Callable:
    """Decorator: make a function the handler ``name``."""

    def decorator(func):
        _handlers[name] = func
        return func

    return decorator


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def schedule(handler: str, *, key: str = "", **kwargs) -> OutboxTask:
    """Record work for ``handler(**kwargs)`` in the current transaction; it is handed to
    a worker once the transaction commits. With a ``key``, a row of that key still
    waiting for its first worker is reused: work asked for twice runs once."""
    if handler not in _handlers:
        raise LookupError(f"No outbox handler {handler!r}")
    now = timezone.now()
    due = now + timedelta(seconds=_setting("OUTBOX_GRACE", GRACE))
    with transaction.atomic():
        row = None
        if key:
            row = (
                OutboxTask.objects.select_for_update()
                .filter(
                    key=key,
                    handler=handler,
                    state=OutboxTask.State.PENDING,
                    steps=0,
                    lease_until__isnull=True,
                    kwargs=kwargs,
                )
                .first()
            )
        if row is None:
            row = OutboxTask.objects.create(handler=handler, key=key, kwargs=kwargs, due_at=due)
        dispatch_on_commit(row.pk)
    return row


def dispatch_on_commit(pk: int) -> None:
    transaction.on_commit(lambda: dispatch(pk))


#: Rows handed on while an in-process (eager) step runs in this thread: run after it.
_in_process = threading.local()


def dispatch(pk: int) -> bool:
    """Hand row ``pk`` to a worker now; False (and a log line) if the broker refused.
    The row is unchanged either way: the sweep finds it if nothing runs it.

    With tasks run in-process (``CELERY_TASK_ALWAYS_EAGER``: ``make run``, tests) a
    step's hand-on of the next step happens inside the step, so handing it straight to
    Celery would run step 2 inside step 1, step 3 inside that, ... and a fan-out of a
    few hundred steps (a notice to ~50,000 residents) ran out of Python's recursion
    limit. Instead the outermost hand-on in a thread runs the queued rows one after
    another in a loop, and a hand-on from inside a step only joins that queue."""
    from .tasks import run_outbox_task

    if not run_outbox_task.app.conf.task_always_eager:
        return _send(pk)
    queue = getattr(_in_process, "queue", None)
    if queue is not None:  # a step is running in this thread: next, not nested
        queue.append(pk)
        return True
    _in_process.queue = queue = deque([pk])
    sent = True
    try:
        while queue:
            sent = _send(queue.popleft()) and sent
    finally:
        _in_process.queue = None
    return sent


def _send(pk: int) -> bool:
    from .tasks import run_outbox_task

    try:
        run_outbox_task.apply_async((pk,))
    except Exception as exc:  # the broker is down: the sweep sends it later
        logger.warning("Could not hand outbox task %s to a worker (the sweep will): %s", pk, exc)
        return False
    return True


def _claim(pk: int) -> OutboxTask | None:
    now = timezone.now()
    lease = timedelta(seconds=_setting("OUTBOX_LEASE", LEASE))
    with transaction.atomic():
        row = (
            OutboxTask.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, state=OutboxTask.State.PENDING)
            .first()
        )
        if row is None or (row.lease_until is not None and row.lease_until > now):
            return None  # done, or another worker holds it right now
        row.lease_until = row.due_at = now + lease
        row.attempts += 1
        row.save(update_fields=["lease_until", "due_at", "attempts"])
    return row


def run(pk: int) -> str:
    """Run one step of row ``pk`` if it is pending and nobody holds it; returns what
    happened: "done", "resumed", "retry", "failed", or "skipped"."""
    row = _claim(pk)
    if row is None:
        return "skipped"
    handler = _handlers.get(row.handler)
    now = timezone.now
    try:
        if handler is None:
            raise LookupError(f"No outbox handler {row.handler!r} in this process")
        result = handler(**row.kwargs)
    except Exception as exc:
        logger.exception("Outbox task %s (%s) failed", row.pk, row.handler)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= _setting("OUTBOX_MAX_ATTEMPTS", MAX_ATTEMPTS):
            OutboxTask.objects.filter(pk=row.pk).update(
                state=OutboxTask.State.FAILED, last_error=error, lease_until=None
            )
            return "failed"
        backoff = _setting("OUTBOX_RETRY_BACKOFF", RETRY_BACKOFF) * 2 ** (row.attempts - 1)
        OutboxTask.objects.filter(pk=row.pk).update(
            last_error=error,
            lease_until=None,
            due_at=now() + timedelta(seconds=min(backoff, 3600)),
        )
        return "retry"
    if isinstance(result, Resume):
        with transaction.atomic():
            OutboxTask.objects.filter(pk=row.pk).update(
                kwargs=result.kwargs,
                steps=row.steps + 1,
                attempts=0,
                lease_until=None,
                due_at=now() + timedelta(seconds=_setting("OUTBOX_GRACE", GRACE)),
            )
            dispatch_on_commit(row.pk)
        return "resumed"
    OutboxTask.objects.filter(pk=row.pk).update(
        state=OutboxTask.State.DONE,
        steps=row.steps + 1,
        lease_until=None,
        done_at=now(),
        last_error="",
    )
    return "done"


def sweep(limit: int = 1000) -> int:
    """Hand on every pending row past its due time (beat runs this every minute);
    returns how many. A row handed on is due again a grace period later, so the next
    sweep leaves it alone while a worker takes it."""
    now = timezone.now()
    grace = timedelta(seconds=_setting("OUTBOX_GRACE", GRACE))
    with transaction.atomic():
        ids = list(
            OutboxTask.objects.select_for_update(skip_locked=True)
            .filter(state=OutboxTask.State.PENDING, due_at__lte=now)
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            # A lapsed lease is let go here: its worker is gone.
            OutboxTask.objects.filter(pk__in=ids).update(due_at=now + grace, lease_until=None)
    for pk in ids:
        if not dispatch(pk):
            break  # the broker is still down: the next sweep tries again
    return len(ids)
