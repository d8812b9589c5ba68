from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One access to personal data that the law or our rules say must be traceable,
    such as viewing a whole ID number. Written, never edited."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=50, db_index=True)
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200)
    where = models.CharField(_("where"), max_length=50, help_text=_("admin, api, export, ..."))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_repr}"


class OutboxTask(models.Model):
    """Background work a person's action started, recorded in the action's own
    transaction (a transactional outbox, anju.core.outbox). Celery only carries "run
    row N now"; the row is the truth, so a broker outage or a killed worker delays the
    work and never loses it, and a row done is never run again."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    handler = models.CharField(_("handler"), max_length=100)
    kwargs = models.JSONField(_("arguments"), default=dict)
    key = models.CharField(_("key"), max_length=200, blank=True, db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    steps = models.PositiveIntegerField(_("steps done"), default=0)
    #: When the sweep sends it (again) unless it is done by then.
    due_at = models.DateTimeField(_("due at"))
    #: A worker holds it until then (a worker killed mid-step lets go when it passes).
    lease_until = models.DateTimeField(_("held until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
        indexes = [models.Index(fields=["state", "due_at"], name="core_outbox_due")]

    def __str__(self):
        return f"{self.handler} #{self.pk} ({self.state})"
