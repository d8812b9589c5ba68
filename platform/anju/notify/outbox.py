"""Putting messages into the outbox and delivering them.

The outbox table is the truth; Celery only carries "deliver message N now". So:

* enqueueing is idempotent: each message has a unique ``dedup_key`` and a second enqueue
  (a re-run fan-out, a retried request) finds the row instead of adding one;
* delivery is idempotent: ``deliver`` locks the row, does nothing unless it is still
  pending, and marks it sent in the transaction the backend wrote in (the default SMS
  backend's log row commits with it, or neither does);
* a fan-out is delivered in batches (``deliver_many``: one ``notify.deliver_batch``
  task per ``NOTIFY_DELIVERY_BATCH`` messages, on the bulk queue, apart from single
  messages): a backend whose sending is only rows in this database (in-app, the default
  SMS log) sends a whole batch in one transaction with one status update, so a worker
  killed mid-batch leaves the batch entirely pending, to be sent once by its next task;
  a backend that hands messages to the outside world (e-mail, an SMS provider) gets a
  transaction per message, as ``deliver`` does, so such a kill re-sends at most the
  message in hand;
* a lost task (a killed worker) loses nothing: the message stays pending and
  ``redeliver_stale`` (the beat task notify.deliver_pending) sends it again;
* tasks are sent only after the rows they name are committed, and a broker that is down
  then fails nobody's request: the rows wait for the sweep.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import conf, templating
from .backends import get_backend
from .exceptions import PermanentFailure, TemporaryFailure
from .models import Channel, Message, Status

logger = logging.getLogger("anju.notify")

MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class Recipient:
    """Who gets one message of a fan-out, on which channel.

    ``key`` names the person stably within the fan-out ("resident:42", "user:7"); the
    message's dedup key is ``f"{dedup_prefix}:{key}:{channel}"``. Give ``user_id`` for
    in-app messages, ``phone`` for SMS, ``email`` (or a user with an address) for e-mail;
    ``community_id`` when this recipient's message concerns another community than the
    fan-out's ``community``.
    """

    key: str
    channel: str
    user_id: int | None = None
    phone: str | None = None
    email: str = ""
    # The community this one message concerns, when a fan-out reaches several (a job
    # posting on a county's site: each seeker's own); otherwise the fan-out's.
    community_id: int | None = None

    @classmethod
    def coerce(cls, value) -> Recipient:
        if isinstance(value, cls):
            return value
        if isinstance(value, Mapping):
            return cls(**value)
        raise TypeError(f"Not a recipient: {value!r}")


def dedup_key_for(dedup_prefix: str, recipient: Recipient) -> str:
    return f"{dedup_prefix}:{recipient.key}:{recipient.channel}"


def _message(
    recipient: Recipient, dedup_key: str, template, payload, language, now, community_id
) -> Message:
    if recipient.channel not in Channel.values:
        raise ValueError(f"Unknown channel {recipient.channel!r}")
    return Message(
        channel=recipient.channel,
        community_id=recipient.community_id or community_id,
        user_id=recipient.user_id,
        phone=recipient.phone or None,
        email=recipient.email or "",
        template=template,
        payload=payload,
        language=language,
        dedup_key=dedup_key,
        created_at=now,
        next_attempt_at=now,
    )


# --- enqueueing --------------------------------------------------------------------------


def enqueue(
    *,
    channel: str,
    template: str,
    dedup_key: str,
    payload: dict | None = None,
    user=None,
    phone: str | None = None,
    email: str = "",
    language: str = "",
    community=None,
) -> tuple[Message, bool]:
    """Put one message in the outbox and, once the transaction commits, hand it to a
    worker. Returns ``(message, created)``; with a ``dedup_key`` already in the outbox
    nothing is added or sent and the existing message is returned. ``community`` (a
    community or its pk) is the one the message concerns: its staff see it in the
    outbox; without one only superusers do."""
    templating.get_template(template)  # an unknown code is a bug: fail here, loudly
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    now = timezone.now()
    with transaction.atomic():
        # get_or_create survives a concurrent insert of the same key (unique constraint).
        message, created = Message.objects.get_or_create(
            dedup_key=dedup_key,
            defaults={
                "channel": channel,
                "community_id": getattr(community, "pk", community),
                "user_id": getattr(user, "pk", user),
                "phone": phone or None,
                "email": email or "",
                "template": template,
                "payload": payload or {},
                "language": language,
                "created_at": now,
                "next_attempt_at": now,
            },
        )
        if created:
            _send_tasks_on_commit([message.pk])
    return message, created


def to_user(
    user,
    *,
    template: str,
    dedup_key: str,
    payload: dict | None = None,
    email: str | None = None,
    language: str = "",
    community=None,
) -> int:
    """One message to a person with an account (a resident or staff): in the app, and by
    e-mail as well when they gave an address (the e-mail copy's dedup key is
    ``f"{dedup_key}:email"``). ``user`` is a user or its pk; ``email`` saves the look-up
    when the caller already read the addresses of many people (None: read it here).
    Returns how many messages were created (0 when both were already in the outbox)."""
    from django.contrib.auth import get_user_model

    user_id = getattr(user, "pk", user)
    if email is None:
        if hasattr(user, "email"):
            email = user.email if getattr(user, "is_active", True) else ""
        else:
            email = (
                get_user_model()
                .objects.filter(pk=user_id, is_active=True)
                .values_list("email", flat=True)
                .first()
            ) or ""
    created = 0
    with transaction.atomic():
        _message, made = enqueue(
            channel=Channel.IN_APP,
            user=user_id,
            template=template,
            payload=payload,
            dedup_key=dedup_key,
            language=language,
            community=community,
        )
        created += made
        if email:
            _message, made = enqueue(
                channel=Channel.EMAIL,
                user=user_id,
                email=email,
                template=template,
                payload=payload,
                dedup_key=f"{dedup_key}:email",
                language=language,
                community=community,
            )
            created += made
    return created


def emails_of(user_ids) -> dict[int, str]:
    """{pk: address} of the active users among ``user_ids`` who gave one, in one query
    (for ``to_user(..., email=...)`` in a loop)."""
    from django.contrib.auth import get_user_model

    return dict(
        get_user_model()
        .objects.filter(pk__in=list(user_ids), is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    )


def fan_out(
    recipients: Iterable,
    *,
    template: str,
    payload: dict | None = None,
    dedup_prefix: str,
    language: str = "",
    batch_size: int | None = None,
    send: bool = True,
    community=None,
) -> int:
    """One message per recipient, created in batches, each batch in its own transaction
    and handed to the workers when it commits. ``recipients`` (Recipient objects or
    mappings of their fields) is consumed lazily, one batch at a time, so a generator
    over a large queryset never sits in memory whole.

    Idempotent: a recipient who already has this fan-out's message (same dedup key) gets
    nothing new, so a re-run after a crash creates only what the crashed run did not.
    Returns the number of messages created. ``send=False`` leaves them pending for
    ``deliver``/``redeliver_stale`` (benchmarks, staged sends). ``community``: as for
    :func:`enqueue`, one for the whole fan-out, unless a recipient names its own
    (``Recipient.community_id``).
    """
    templating.get_template(template)
    size = batch_size or conf.batch_size()
    payload = payload or {}
    community_id = getattr(community, "pk", community)
    created = 0
    iterator = iter(recipients)
    while batch := list(islice(iterator, size)):
        created += _fan_out_batch(
            [Recipient.coerce(r) for r in batch],
            template,
            payload,
            dedup_prefix,
            language,
            send,
            community_id,
        )
    return created


def _fan_out_batch(batch, template, payload, dedup_prefix, language, send, community_id) -> int:
    by_key = {dedup_key_for(dedup_prefix, r): r for r in batch}
    now = timezone.now()
    with transaction.atomic():
        existing = set(
            Message.objects.filter(dedup_key__in=list(by_key)).values_list("dedup_key", flat=True)
        )
        new = [
            _message(r, key, template, payload, language, now, community_id)
            for key, r in by_key.items()
            if key not in existing
        ]
        if not new:
            return 0
        # ignore_conflicts: a concurrent run may have inserted some of them meanwhile.
        Message.objects.bulk_create(new, ignore_conflicts=True)
        ids = list(
            Message.objects.filter(dedup_key__in=[m.dedup_key for m in new], status=Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if send:
            _send_batches_on_commit(ids)
    return len(ids)


def _send_tasks_on_commit(ids, countdown: float | None = None) -> None:
    """One ``deliver_message`` task per message, on the default queue (single messages:
    a code, a case assigned — what someone is waiting for)."""
    if not ids:
        return

    def send_tasks():
        from .tasks import deliver_message

        for done, pk in enumerate(ids):
            try:
                deliver_message.apply_async((pk,), countdown=countdown)
            except Exception as exc:  # the broker is down: the rows wait for the sweep
                _not_queued(len(ids) - done, pk, exc)
                return

    transaction.on_commit(send_tasks)


def _send_batches_on_commit(ids, countdown: float | None = None) -> None:
    """``deliver_batch`` tasks of NOTIFY_DELIVERY_BATCH messages each, on the bulk queue
    (conf.bulk_queue), once the transaction commits."""
    if not ids:
        return
    size = conf.delivery_batch()
    batches = [list(ids[i : i + size]) for i in range(0, len(ids), size)]

    def send_tasks():
        from .tasks import deliver_batch

        queue = conf.bulk_queue()
        for done, batch in enumerate(batches):
            try:
                deliver_batch.apply_async((batch,), countdown=countdown, queue=queue)
            except Exception as exc:  # the broker is down: the rows wait for the sweep
                _not_queued(sum(map(len, batches[done:])), batch[0], exc)
                return

    transaction.on_commit(send_tasks)


def _not_queued(count: int, first: int, exc: BaseException) -> None:
    logger.warning(
        "Could not queue %d message(s) (first %s); redeliver_stale will: %s", count, first, exc
    )


# --- delivering --------------------------------------------------------------------------


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: 30, 60, 120, ...
    (NOTIFY_RETRY_BACKOFF doubled each time, at most NOTIFY_RETRY_BACKOFF_MAX), or
    longer if the provider asked for longer."""
    delay = min(conf.retry_backoff() * 2 ** max(attempts - 1, 0), conf.retry_backoff_max())
    return max(delay, retry_after or 0)


def deliver(message_id: int) -> str:
    """Send one message if it is still pending; returns what happened ("sent", "retry",
    "failed", or why nothing was done). Never raises for a failed send: the failure is
    recorded on the message instead, and a retry queued (``deliver_message``)."""
    return _deliver_one(message_id, requeue=_send_tasks_on_commit)


def _deliver_one(message_id: int, requeue) -> str:
    """``deliver``; a retry is queued by ``requeue([pk], countdown=...)`` when the
    transaction commits."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            # Gone, or locked: another worker is sending it right now, or the sweep
            # (redeliver_stale) is handing it to a new task. Either way it is in hand.
            return "skipped"
        if message.status != Status.PENDING:
            return f"already {message.status}"
        now = timezone.now()
        message.attempts += 1
        try:
            with transaction.atomic():  # a failed send leaves nothing half-written
                get_backend(message.channel).send(message)
        except Exception as exc:
            outcome, countdown = _failure(message, exc, now)
            if countdown is not None:
                requeue([message.pk], countdown=countdown)
        else:
            message.status = Status.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            outcome = "sent"
        message.save(update_fields=SAVED_FIELDS)
    return outcome


SAVED_FIELDS = ["status", "attempts", "last_error", "sent_at", "next_attempt_at"]


def deliver_many(message_ids) -> dict[str, int]:
    """Send the messages of ``message_ids`` that are still pending (a batch of a
    fan-out); returns how many were "sent", "retry", "failed" and "skipped" (not
    pending: sent already, failed, gone, or in another worker's hands right now).

    Messages whose backend sends only by writing rows in this database
    (``Backend.sends_in_transaction``: in-app, the default SMS log) are sent together:
    one transaction holds the batch's rows (locked), the backend's writes
    (``send_many``: the SMS log rows in one insert) and one update marking them sent, so
    a worker killed mid-batch leaves all of them pending and none sent. The others
    (e-mail, an outside SMS provider) each go through ``deliver``, a transaction apiece.
    A message that fails is retried or failed on its own, as with ``deliver``."""
    ids = sorted(set(message_ids))
    outcomes: Counter = Counter()
    one_by_one: list[int] = []
    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=ids, status=Status.PENDING)
            .order_by("pk")
        )
        outcomes["skipped"] = len(ids) - len(messages)
        by_channel: dict[str, list[Message]] = defaultdict(list)
        for message in messages:
            by_channel[message.channel].append(message)
        now = timezone.now()
        retries: dict[float, list[int]] = defaultdict(list)
        for channel, group in by_channel.items():
            try:
                backend = get_backend(channel)
            except Exception as exc:  # no backend for the channel: each fails on its own
                failures = {message.pk: exc for message in group}
            else:
                if not backend.sends_in_transaction:
                    one_by_one += [message.pk for message in group]
                    continue
                try:
                    with transaction.atomic():  # a failed batch leaves nothing half-written
                        failures = backend.send_many(group)
                except Exception as exc:  # the whole batch failed: each counts it
                    logger.exception("Sending a batch of %d messages raised", len(group))
                    failures = {message.pk: exc for message in group}
            sent = []
            for message in group:
                message.attempts += 1
                exc = failures.get(message.pk)
                if exc is None:
                    sent.append(message.pk)
                    continue
                outcome, countdown = _failure(message, exc, now)
                outcomes[outcome] += 1
                if countdown is not None:
                    retries[countdown].append(message.pk)
                message.save(update_fields=SAVED_FIELDS)
            if sent:
                Message.objects.filter(pk__in=sent).update(
                    status=Status.SENT,
                    sent_at=timezone.now(),
                    last_error="",
                    attempts=F("attempts") + 1,
                )
                outcomes["sent"] += len(sent)
        for countdown, pks in retries.items():
            _send_batches_on_commit(pks, countdown=countdown)
    for pk in one_by_one:  # a retry goes back in a batch, on the bulk queue
        outcomes[_outcome_kind(_deliver_one(pk, requeue=_send_batches_on_commit))] += 1
    return {kind: count for kind, count in outcomes.items() if count}


def _outcome_kind(outcome: str) -> str:
    return "skipped" if outcome.startswith("already") else outcome


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]


def _failed(message: Message, exc: BaseException) -> str:
    message.status = Status.FAILED
    message.last_error = _error_text(exc)
    logger.warning("Message %s failed: %s", message.pk, message.last_error)
    return "failed"


def _failure(message: Message, exc: BaseException, now) -> tuple[str, float | None]:
    """Record on ``message`` (attempts already counted) that sending it raised ``exc``:
    failed for good, or to be retried; returns the outcome and, for a retry, the seconds
    until the next attempt (the caller queues it once the transaction commits)."""
    if isinstance(exc, PermanentFailure):
        return _failed(message, exc), None
    if not isinstance(exc, TemporaryFailure):  # a backend bug or an unclassified outage
        logger.error("Sending message %s raised", message.pk, exc_info=exc)
    if message.attempts >= conf.max_attempts():
        return _failed(message, exc), None
    message.last_error = _error_text(exc)
    countdown = backoff(message.attempts, getattr(exc, "retry_after", None))
    message.next_attempt_at = now + timedelta(seconds=countdown)
    return "retry", countdown


def redeliver_stale(limit: int = 10_000, chunk: int = 500) -> int:
    """Send again every pending message whose attempt was due more than
    NOTIFY_REDELIVER_AFTER seconds ago: its task was lost (a killed worker, a broker
    restart) or never sent (a crash between commit and publish). A message whose task
    is merely slow is sent twice over, harmlessly: delivery is idempotent.

    Works through at most ``limit`` messages, ``chunk`` at a time; returns how many."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=conf.redeliver_after())
    stale = Message.objects.filter(status=Status.PENDING, next_attempt_at__lte=cutoff)
    done = 0
    last_pk = 0
    while done < limit:
        with transaction.atomic():
            # skip_locked: a message being sent right now is not lost.
            ids = list(
                stale.filter(pk__gt=last_pk)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[: min(chunk, limit - done)]
            )
            if not ids:
                break
            # Due again from now: the next sweep leaves them alone while this try runs.
            Message.objects.filter(pk__in=ids, status=Status.PENDING).update(next_attempt_at=now)
            _send_batches_on_commit(ids)
        done += len(ids)
        last_pk = ids[-1]
    return done
