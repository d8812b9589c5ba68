from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: Beat entry for the sweep that re-sends messages whose task was lost.
BEAT_SCHEDULE = {
    "notify-deliver-pending": {"task": "notify.deliver_pending", "schedule": 300.0},
}


class NotifyConfig(AppConfig):
    name = "anju.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self):
        from anju.celery import app as celery_app

        from .templating import register_core_templates

        # The notification layer knows no message source: notices, services and plugins
        # register their own templates and call it.
        register_core_templates()
        celery_app.conf.beat_schedule = {**BEAT_SCHEDULE, **celery_app.conf.beat_schedule}
