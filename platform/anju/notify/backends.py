"""Channel backends: how a message leaves the building.

A backend is a class with ``send(message)``. It is called inside the database
transaction that then marks the message sent (under a savepoint: if it raises, whatever
it wrote is rolled back). It raises ``TemporaryFailure`` to have the message retried
later, ``PermanentFailure`` to have it failed at once; anything else it raises counts as
temporary. ``message.render()`` gives the subject and body (raising TemplateError, a
permanent failure, if the template cannot be filled in).

Which class serves a channel is the ``NOTIFY_BACKENDS`` setting (see anju.notify).

A real SMS provider is one class away::

    class ProviderSmsBackend(SmsBackend):
        def send_sms(self, phone, text, message):
            response = provider.send(phone, text)        # the provider's client
            if response.throttled:
                raise TemporaryFailure("throttled", retry_after=60)
            if response.bad_number:
                raise PermanentFailure("no such number")
            return response.id                            # kept in the SMS log

A fan-out's messages are delivered in batches (``anju.notify.outbox.deliver_many``). A
backend whose sending is only rows written in this database sets
``sends_in_transaction = True``: a batch then goes to its ``send_many`` in one
transaction (override it to write the rows of the batch at once, as the SMS log does).
Any other backend gets one transaction per message, through ``send``.

Delivery through an outside provider is at least once: if the process dies after the
provider accepted the message but before the transaction commits, the message is still
pending and will be sent again. The default SMS backend, whose "provider" is the SMS log
table in the same transaction, is exactly once.
"""

from __future__ import annotations

import logging
import smtplib
from functools import cache

from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

from . import conf
from .exceptions import PermanentFailure, TemporaryFailure


class Backend:
    """Base class of channel backends."""

    #: True if sending is nothing but rows written in this database (in the caller's
    #: transaction): a batch of messages is then sent, and marked sent, in one
    #: transaction. False (the default) for anything that leaves the building.
    sends_in_transaction = False

    def send(self, message) -> None:
        raise NotImplementedError

    def send_many(self, messages) -> dict[int, BaseException]:
        """Send ``messages`` (a batch, in the caller's transaction); returns what each one
        that could not be sent raised, by pk (the others were sent). This one sends them
        one by one, each under a savepoint."""
        failures = {}
        for message in messages:
            try:
                with transaction.atomic():
                    self.send(message)
            except Exception as exc:
                failures[message.pk] = exc
        return failures

    @classmethod
    def dotted_path(cls) -> str:
        return f"{cls.__module__}.{cls.__qualname__}"


class InAppBackend(Backend):
    """In-app messages are stored, not transported: sending marks them delivered, and the
    user reads them in the app (``Message.objects.inbox(user)``)."""

    sends_in_transaction = True

    def send(self, message) -> None:
        if not message.user_id:
            raise PermanentFailure("An in-app message needs a user.")
        message.render()  # fail now, not when the user opens it

    def send_many(self, messages) -> dict[int, BaseException]:
        failures = {}
        for message in messages:  # writes nothing: no savepoint needed
            try:
                self.send(message)
            except Exception as exc:
                failures[message.pk] = exc
        return failures


class EmailBackend(Backend):
    """Through Django's e-mail machinery (EMAIL_BACKEND and friends)."""

    def send(self, message) -> None:
        address = message.email or (message.user.email if message.user_id else "")
        if not address:
            raise PermanentFailure("An e-mail message needs an address.")
        rendered = message.render()
        try:
            send_mail(rendered.subject, rendered.body, None, [address], fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"The mail server refused {address}: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc


class SmsBackend(Backend):
    """Base class of SMS backends: renders the text, hands it to ``send_sms`` and records
    it in the SMS log (anju.notify.models.SmsLog), all in the caller's transaction."""

    def send(self, message) -> None:
        self._hand_over(message).save()

    def send_many(self, messages) -> dict[int, BaseException]:
        """Each message to ``send_sms``; the SMS log rows of those sent in one insert."""
        from .models import SmsLog

        failures, logs = {}, []
        for message in messages:
            try:
                logs.append(self._hand_over(message))
            except Exception as exc:
                failures[message.pk] = exc
        SmsLog.objects.bulk_create(logs)
        return failures

    def _hand_over(self, message):
        """Give the text to the provider; the SMS log row to save (unsaved)."""
        from .models import SmsLog

        if not message.phone:
            raise PermanentFailure("An SMS needs a phone number.")
        text = message.render().body
        reference = self.send_sms(message.phone, text, message) or ""
        return SmsLog(
            message=message,
            phone=message.phone,
            body=text,
            backend=self.dotted_path(),
            provider_reference=str(reference),
        )

    def send_sms(self, phone: str, text: str, message) -> str | None:
        """Hand the text to the provider; return the provider's reference, if any."""
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """The default: no provider; the SMS log is the record of what would have been sent.
    In development (DEBUG) the text is also printed to the log, so a developer signing
    in on the portal reads the code there. Sending is writing the log row: exactly once,
    a batch at a time."""

    sends_in_transaction = True

    def send_sms(self, phone: str, text: str, message) -> str | None:
        from django.conf import settings

        if settings.DEBUG:
            logging.getLogger("anju.notify.sms").info("SMS to %s: %s", phone, text)
        return None


@cache
def _backend_class(path: str) -> type[Backend]:
    return import_string(path)


def get_backend(channel: str) -> Backend:
    """A fresh instance of the backend configured for ``channel``."""
    path = conf.backends().get(channel)
    if not path:
        raise PermanentFailure(f"No backend is configured for the channel {channel!r}.")
    return _backend_class(path)()
