"""The outbox: one row per message to one recipient on one channel, and the SMS log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from anju.community.idnumbers import mask_phone

from . import templating


class Channel(models.TextChoices):
    IN_APP = "in_app", _("in-app")
    EMAIL = "email", _("email")
    SMS = "sms", _("SMS")


class Status(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class MessageQuerySet(models.QuerySet):
    def inbox(self, user):
        """The in-app messages delivered to ``user``, newest first."""
        return self.filter(channel=Channel.IN_APP, user=user, status=Status.SENT).order_by(
            "-sent_at", "-pk"
        )

    def unread(self):
        return self.filter(read_at__isnull=True)

    def mark_read(self) -> int:
        return self.filter(read_at__isnull=True).update(read_at=timezone.now())


def mask_email(value: str) -> str:
    name, _at, domain = (value or "").partition("@")
    if not domain:
        return "*" * len(name)
    return f"{name[:1]}***@{domain}"


class Message(models.Model):
    """A message in the outbox. ``dedup_key`` is unique: enqueueing the same message
    twice (a re-run fan-out, a retried request) finds the row that is already there.

    ``community`` is the community it concerns (a notice's, a case's): the outbox in the
    staff interface shows each person only their communities' messages, as every list
    of community data does (``community_path``, anju.permissions.scope). A message of no
    community (a sign-in code) is shown to superusers only."""

    community_path = "community"

    channel = models.CharField(_("delivery channel"), max_length=20, choices=Channel.choices)
    # The recipient: a user (in-app, and e-mail or SMS to a user), or just an address.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notify_messages",
        verbose_name=_("user"),
    )
    # null: the encrypted field stores an empty value as NULL.
    phone = EncryptedCharField(_("phone"), max_length=30, null=True, blank=True)
    email = models.EmailField(_("email"), blank=True)
    community = models.ForeignKey(
        "community.Community",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    template = models.CharField(_("template"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    language = models.CharField(
        _("language"),
        max_length=15,
        blank=True,
        help_text=_("Rendered in this language; empty: the site's default."),
    )
    dedup_key = models.CharField(_("deduplication key"), max_length=255, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # When the next attempt is due. A message still pending well after this (a task lost
    # with a killed worker) is sent again by notify.deliver_pending.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_msg_due"),
            models.Index(fields=["user", "channel", "status"], name="notify_msg_inbox"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(channel=Channel.IN_APP, user__isnull=False)
                    | Q(channel=Channel.SMS, phone__isnull=False)
                    | (Q(channel=Channel.EMAIL) & ~Q(email=""))
                ),
                name="notify_message_has_recipient",
            )
        ]

    def __str__(self):
        return f"{self.template} → {self.recipient_display}"

    @property
    def recipient_display(self) -> str:
        """Who it is for, with addresses masked."""
        if self.channel == Channel.SMS:
            return mask_phone(self.phone or "")
        if self.channel == Channel.EMAIL:
            return mask_email(self.email)
        return str(self.user) if self.user_id else ""

    def render(self) -> templating.Rendered:
        """Subject and body; raises anju.notify.TemplateError if they cannot be made."""
        if getattr(self, "_rendered", None) is None:
            self._rendered = templating.render(self.template, self.payload, self.language)
        return self._rendered

    def mark_read(self) -> None:
        """The user has read this in-app message (only the first reading counts)."""
        if self.read_at is None:
            Message.objects.filter(pk=self.pk).mark_read()
            self.refresh_from_db(fields=["read_at"])


class SmsLog(models.Model):
    """One SMS handed to the provider (with the default backend: the provider *is* this
    log). Written in the transaction that marks the message sent, and one per message
    (a database constraint): a crash can neither lose the record nor write it twice."""

    message = models.OneToOneField(
        Message,
        on_delete=models.CASCADE,
        related_name="sms_log",
        verbose_name=_("message"),
    )
    phone = EncryptedCharField(_("phone"), max_length=30)
    body = models.TextField(_("text"))
    backend = models.CharField(_("backend"), max_length=255)
    provider_reference = models.CharField(_("provider reference"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("SMS log entry")
        verbose_name_plural = _("SMS log")
        ordering = ["-pk"]

    def __str__(self):
        return f"{mask_phone(self.phone)} · {self.created_at:%Y-%m-%d %H:%M}"


class OneTimeCode(models.Model):
    """A six-digit code sent by SMS, stored only as a keyed hash (``codes.code_hash``).
    It expires (``RESIDENTS_CODE_TTL``), is used once, and dies after
    ``RESIDENTS_CODE_MAX_TRIES`` wrong tries. ``purpose`` keeps sign-in codes apart from
    other uses (the consent a resident gives to 代办). See anju.notify.codes."""

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", _("sign in")
        CONSENT = "consent", _("consent to filing on behalf")

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    phone_digest = models.CharField(max_length=64, editable=False)
    # What the code is about, for purposes that need it ("household:12").
    subject = models.CharField(max_length=100, blank=True)
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["purpose", "phone_digest", "created_at"], name="otp_lookup")
        ]

    def __str__(self):
        return f"{self.purpose} · {self.created_at:%Y-%m-%d %H:%M}"
