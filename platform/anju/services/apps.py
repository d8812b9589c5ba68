from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "anju.services"
    label = "services"
    verbose_name = _("Services")

    def ready(self):
        # Message templates and the household page's panel register themselves.
        from . import notifications, panels  # noqa: F401
