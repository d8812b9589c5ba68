"""Backends for the tests, selected with NOTIFY_BACKENDS (override_settings in-process,
worker_settings.py for a worker subprocess)."""

import time

from django.conf import settings

from anju.notify.backends import Backend, LogSmsBackend, SmsBackend
from anju.notify.exceptions import PermanentFailure, TemporaryFailure


class AlwaysTemporaryBackend(Backend):
    def send(self, message):
        raise TemporaryFailure("provider unreachable")


class AlwaysPermanentBackend(Backend):
    def send(self, message):
        raise PermanentFailure("no such number")


class BrokenBackend(Backend):
    """A backend with a bug: raises something that is not a DeliveryError."""

    def send(self, message):
        raise ZeroDivisionError("oops")


class RecordingBackend(Backend):
    sent: list = []

    def send(self, message):
        RecordingBackend.sent.append((message.pk, message.render().body))


class SlowLogSmsBackend(LogSmsBackend):
    """The default SMS backend, NOTIFY_TEST_SMS_DELAY seconds slower per message: keeps a
    worker mid-flight long enough to be killed. With NOTIFY_TEST_HANDOVER_KEY it also
    counts in Redis (the broker's) each text handed over, committed or not."""

    def send_sms(self, phone, text, message):
        time.sleep(float(getattr(settings, "NOTIFY_TEST_SMS_DELAY", 0)))
        key = getattr(settings, "NOTIFY_TEST_HANDOVER_KEY", "")
        if key:
            import redis

            redis.Redis.from_url(settings.CELERY_BROKER_URL).incr(key)
        return super().send_sms(phone, text, message)


class Killed(BaseException):
    """What a worker killed mid-send amounts to in-process: nothing catches it."""


class _Crashing:
    """Sends until the ``crash_at``-th message of the test, which kills the process."""

    crash_at = 0
    handed_over: list = []

    def send_sms(self, phone, text, message):
        if len(_Crashing.handed_over) + 1 == _Crashing.crash_at:
            raise Killed
        _Crashing.handed_over.append(message.pk)


class CrashingLogSmsBackend(_Crashing, LogSmsBackend):
    """The default SMS log (sends in the batch's transaction), killed mid-batch."""


class CrashingProviderSmsBackend(_Crashing, SmsBackend):
    """An outside provider (a transaction per message), killed mid-batch."""


class TemporaryForSomeSmsBackend(LogSmsBackend):
    """The default SMS log, but a phone ending in 1 meets a throttling provider."""

    def send_sms(self, phone, text, message):
        if phone.endswith("1"):
            raise TemporaryFailure("throttled")
        return super().send_sms(phone, text, message)
