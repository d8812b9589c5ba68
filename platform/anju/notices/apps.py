from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "anju.notices"
    label = "notices"
    verbose_name = _("Notices")

    def ready(self):
        # The delivery views register their admin URLs and menu item with Wagtail's hooks.
        from . import delivery_views  # noqa: F401
