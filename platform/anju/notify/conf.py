"""The notify layer's settings, each read when used (so ``override_settings`` works) and
each with a default: a deployment sets none of them to get working notifications.

See the package docstring (anju.notify) for what each one means.
"""

from django.conf import settings

DEFAULT_BACKENDS = {
    "in_app": "anju.notify.backends.InAppBackend",
    "email": "anju.notify.backends.EmailBackend",
    "sms": "anju.notify.backends.LogSmsBackend",
}
MAX_ATTEMPTS = 5
RETRY_BACKOFF = 30  # seconds before the 2nd attempt; doubled for each one after
RETRY_BACKOFF_MAX = 3600
REDELIVER_AFTER = 600  # a message still pending this long after it was due is re-sent
BATCH_SIZE = 500
DELIVERY_BATCH = 250  # messages of a fan-out per delivery task


def backends() -> dict[str, str]:
    """{channel: dotted path of the backend class}; the setting may name only some."""
    return {**DEFAULT_BACKENDS, **getattr(settings, "NOTIFY_BACKENDS", {})}


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", MAX_ATTEMPTS))


def retry_backoff() -> float:
    return float(getattr(settings, "NOTIFY_RETRY_BACKOFF", RETRY_BACKOFF))


def retry_backoff_max() -> float:
    return float(getattr(settings, "NOTIFY_RETRY_BACKOFF_MAX", RETRY_BACKOFF_MAX))


def redeliver_after() -> float:
    return float(getattr(settings, "NOTIFY_REDELIVER_AFTER", REDELIVER_AFTER))


def batch_size() -> int:
    return int(getattr(settings, "NOTIFY_BATCH_SIZE", BATCH_SIZE))


def delivery_batch() -> int:
    return max(1, int(getattr(settings, "NOTIFY_DELIVERY_BATCH", DELIVERY_BATCH)))


def bulk_queue() -> str:
    """The Celery queue of bulk deliveries (a fan-out's batches, the sweep's re-sends):
    apart from the default queue, so that a sign-in code or a case assigned is not
    queued behind a notice to a whole county. Workers consume both (CELERY_TASK_QUEUES)."""
    return settings.NOTIFY_BULK_QUEUE
