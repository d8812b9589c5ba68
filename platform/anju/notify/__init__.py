"""Notifications (notify): an outbox of messages delivered by Celery through swappable
channel backends (in-app, email, SMS), idempotently."""
