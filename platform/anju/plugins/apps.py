from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PluginsConfig(AppConfig):
    """The plugin platform itself (not a plugin)."""

    name = "anju.plugins"
    label = "anju_plugins"
    verbose_name = _("Plugins")

    def ready(self):
        from anju.community.sites import current_community
        from anju.core import plugingate

        from .activation import active_plugins
        from .registry import plugin_packages

        # The layers below this one (the services engine, the household page, campaigns,
        # signals) ask here whether a plugin is active; they cannot import this layer.
        plugingate.install(
            plugingate.Gate(
                active_labels=active_plugins,
                community_of=current_community,
                packages=plugin_packages,
            )
        )
