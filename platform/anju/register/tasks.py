"""The register import's background work: an outbox handler that applies the checked
rows in resumable steps (``REGISTER_IMPORT_STEP`` rows, 5,000, a step), counting its
progress on the RegisterImport row after each. A worker killed mid-step loses nothing:
the outbox runs the step again, and applying rows twice changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from anju.core import audit, outbox

from .imports import apply_rows
from .models import RegisterImport

IMPORT_HANDLER = "register.import_rows"
STEP = 5000


def step_size() -> int:
    return int(getattr(settings, "REGISTER_IMPORT_STEP", STEP))


#: The decrypted rows of the import this process ran a step of last: the next step
#: (usually in the same worker) does not decrypt and parse the whole file again. Keyed
#: by pk and upload time: a database whose ids are reused (SQLite after a rollback)
#: must not hand one import another's rows.
_cached: tuple[tuple, list] = ((None, None), [])


def _rows_of(batch: RegisterImport) -> list[dict]:
    global _cached
    key = (batch.pk, batch.created_at)
    if _cached[0] != key:
        _cached = (key, batch.rows or [])
    return _cached[1]


@outbox.register(IMPORT_HANDLER)
def import_rows(import_id: int, start: int = 0):
    # Deferred: the rows (the whole file, encrypted) are read only when not cached.
    batch = RegisterImport.objects.defer("rows").get(pk=import_id)
    if batch.state in (RegisterImport.State.DONE, RegisterImport.State.FAILED):
        return None
    if batch.state == RegisterImport.State.QUEUED:
        RegisterImport.objects.filter(pk=import_id).update(
            state=RegisterImport.State.RUNNING, started_at=timezone.now()
        )
    rows = _rows_of(batch)
    end = start + step_size()
    done = min(end, len(rows))
    with transaction.atomic():
        applied = apply_rows(rows[start:end])
        # Counted once per step: a step run again (its worker died after the commit)
        # finds done moved on and counts nothing.
        RegisterImport.objects.filter(pk=import_id, done=start).update(
            done=done,
            households_created=F("households_created") + applied.households_created,
            residents_created=F("residents_created") + applied.residents_created,
            residents_updated=F("residents_updated") + applied.residents_updated,
            residents_unchanged=F("residents_unchanged") + applied.residents_unchanged,
        )
    if done < len(rows):
        return outbox.Resume({"import_id": import_id, "start": done}, applied)
    RegisterImport.objects.filter(pk=import_id).update(
        state=RegisterImport.State.DONE, finished_at=timezone.now(), rows=[]
    )
    batch.refresh_from_db()
    audit.record(None, "register_import_done", [batch], where="import", user=batch.user)
    return applied


def start(batch: RegisterImport, request) -> None:
    """Queue a checked import (in the caller's transaction) and audit who started it."""
    task = outbox.schedule(IMPORT_HANDLER, key=f"register-import-{batch.pk}", import_id=batch.pk)
    RegisterImport.objects.filter(pk=batch.pk).update(
        state=RegisterImport.State.QUEUED, outbox_task_id=task.pk
    )
    audit.record(request, "register_import", [batch], where="admin")
