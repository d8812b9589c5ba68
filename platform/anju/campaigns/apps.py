from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "anju.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        # Message templates and the household page's panel register themselves.
        from . import notifications, panels  # noqa: F401
