from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PluginsConfig(AppConfig):
    """The plugin platform itself (not a plugin)."""

    name = "anju.plugins"
    label = "anju_plugins"
    verbose_name = _("Plugins")

    def ready(self):
        from anju.services import codeforms

        from .activation import is_active

        # The services engine asks the plugin layer whether a plugin's forms are offered
        # to a request; it cannot import this layer itself.
        codeforms.set_activation_check(is_active)
        # Likewise the campaigns engine, for plugins' target rules and due items.
        from anju.campaigns import registry as campaigns_registry

        from .activation import active_plugins

        campaigns_registry.set_activation_check(
            lambda community, label: label in active_plugins(community)
        )
