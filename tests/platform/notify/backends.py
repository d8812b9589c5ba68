"""Backends for the tests, selected with NOTIFY_BACKENDS (override_settings in-process,
worker_settings.py for a worker subprocess)."""

import time

from django.conf import settings

from anju.notify.backends import Backend, LogSmsBackend
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
    worker mid-flight long enough to be killed."""

    def send_sms(self, phone, text, message):
        time.sleep(float(getattr(settings, "NOTIFY_TEST_SMS_DELAY", 0)))
        return super().send_sms(phone, text, message)
