"""Notifications (notify): an outbox of messages delivered by Celery through swappable
channel backends (in-app, email, SMS), idempotently.

Using it::

    from anju import notify

    notify.enqueue(channel="sms", phone="13800001234", template="notices.published",
                   payload={...}, dedup_key="notice:12:resident:34:sms")
    notify.fan_out(recipients, template="notices.published", payload={...},
                   dedup_prefix="notice:12")          # recipients: a (lazy) iterable
    notify.to_user(user, template="services.assigned", payload={...},
                   dedup_key="services:case:7:assigned")  # in the app, and e-mail if given
    notify.register_template("myapp.thing_ready", _("Ready"), _("{name}, it is ready."))

Every message is a row of ``notify.Message`` with a unique ``dedup_key``: enqueueing the
same message again adds nothing. ``notify.deliver_message`` (Celery) sends one message
if it is still pending, in the transaction that marks it sent; ``notify.deliver_batch``
sends a fan-out's messages a batch at a time, on the bulk queue; ``notify.deliver_pending``
(beat, every 5 minutes) re-sends pending messages whose task was lost with a killed
worker. See outbox.py for the guarantees and backends.py for writing a backend.

Settings (all optional; read when used):

``NOTIFY_BACKENDS``
    ``{channel: "dotted.path.BackendClass"}`` for the channels ``in_app``, ``email``,
    ``sms``; channels not named keep the default. Defaults:
    ``anju.notify.backends.InAppBackend`` (stored; read in the app),
    ``anju.notify.backends.EmailBackend`` (Django's ``send_mail``),
    ``anju.notify.backends.LogSmsBackend`` (writes the SMS log table, no provider).
``NOTIFY_MAX_ATTEMPTS``
    attempts before a message that keeps failing temporarily is marked failed (5).
``NOTIFY_RETRY_BACKOFF`` / ``NOTIFY_RETRY_BACKOFF_MAX``
    seconds before the second attempt, doubled for each further one (30), and the
    longest wait (3600).
``NOTIFY_REDELIVER_AFTER``
    seconds a message may stay pending after it was due before ``deliver_pending``
    sends it again (600).
``NOTIFY_BATCH_SIZE``
    recipients per fan-out batch (and transaction) (500).
``NOTIFY_DELIVERY_BATCH``
    messages of a fan-out per delivery task (``notify.deliver_batch``) (250).
``NOTIFY_BULK_QUEUE``
    the Celery queue of those delivery tasks (``<CELERY_TASK_DEFAULT_QUEUE>.bulk``);
    workers consume it besides the default queue (settings.CELERY_TASK_QUEUES).

This package is imported by app loading, so it imports nothing at the top; the names
below are loaded on first use.
"""

_EXPORTS = {
    "enqueue": "outbox",
    "fan_out": "outbox",
    "to_user": "outbox",
    "emails_of": "outbox",
    "deliver": "outbox",
    "Recipient": "outbox",
    "register_template": "templating",
    "render": "templating",
    "Channel": "models",
    "Status": "models",
    "Message": "models",
    "SmsLog": "models",
    "TemporaryFailure": "exceptions",
    "PermanentFailure": "exceptions",
    "TemplateError": "exceptions",
    "DeliveryError": "exceptions",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'anju.notify' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
