from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "anju.residents"
    label = "residents"
    verbose_name = _("Residents on the portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.apps import apps

        from . import notifications  # noqa: F401  (registers the sign-in SMS template)

        if apps.is_installed("anju.campaigns"):
            from .household import campaign_items, register_household_item_source

            register_household_item_source(campaign_items)
