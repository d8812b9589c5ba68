"""One import of households and residents from a spreadsheet (导入居民档案).

Uploading a file checks every row and keeps the result here (a dry run: nothing of the
register is changed yet); starting the import hands the checked rows to the outbox,
which applies them in resumable steps and counts its progress on this row. The checked
rows hold ID and phone numbers, so they are encrypted at rest and dropped once the
import has run.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anju.core.fields import TypedEncryptedJSONField


class RegisterImport(models.Model):
    class State(models.TextChoices):
        INVALID = "invalid", _("has errors")
        CHECKED = "checked", _("checked, not imported yet")
        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file"), max_length=200)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows imported"), default=0)
    households_created = models.PositiveIntegerField(_("households added"), default=0)
    residents_created = models.PositiveIntegerField(_("residents added"), default=0)
    residents_updated = models.PositiveIntegerField(_("residents changed"), default=0)
    residents_unchanged = models.PositiveIntegerField(_("residents unchanged"), default=0)
    #: What the dry run found: how many of each (shown before anything is saved).
    preview = models.JSONField(_("dry run"), default=dict)
    #: Row errors: [{"row": 3, "column": "身份证号", "message": "..."}], the first few hundred.
    errors = models.JSONField(_("row errors"), default=list)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    #: The checked rows, encrypted; emptied once imported.
    rows = TypedEncryptedJSONField(default=list, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    #: The outbox row running it (anju.core.outbox): its state tells a failure.
    outbox_task_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def percent(self) -> int:
        return round(self.done * 100 / self.total) if self.total else 0
