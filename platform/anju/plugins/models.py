from django.db import models
from django.utils.translation import gettext_lazy as _

from anju.community.models import Community


class PluginActivation(models.Model):
    """Whether a plugin is enabled for a community. No row: the plugin's default.

    Disabling keeps every row the plugin stored; enabling again brings it all back.
    """

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="plugin_activations",
        verbose_name=_("community"),
    )
    plugin = models.CharField(_("plugin"), max_length=100)
    enabled = models.BooleanField(_("enabled"), default=True)
    installed_at = models.DateTimeField(_("installed"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("plugin activation")
        verbose_name_plural = _("plugin activations")
        constraints = [
            models.UniqueConstraint(fields=["community", "plugin"], name="one_row_per_plugin")
        ]

    def __str__(self):
        return f"{self.community} · {self.plugin} · {'on' if self.enabled else 'off'}"
