from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "anju.notices"
    label = "notices"
    verbose_name = _("Notices")

    def ready(self):
        from anju import notify

        # The delivery views register their admin URLs and menu item with Wagtail's hooks.
        from . import (
            delivery_views,  # noqa: F401
            signals,
        )
        from .tasks import NOTICE_TEMPLATE

        # Notices call the notification layer below them, never the reverse: the
        # message a published notice sends, and the signal that queues the fan-out.
        notify.register_template(
            NOTICE_TEMPLATE,
            _("New notice: {title}"),
            _("New notice: {title}. {summary} Read it at {url}"),
        )
        signals.connect()
