from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PluginsConfig(AppConfig):
    """The plugin platform itself (not a plugin)."""

    name = "anju.plugins"
    label = "anju_plugins"
    verbose_name = _("Plugins")
