from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "anju.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        from . import cache, visited

        cache.connect()
        visited.connect()
