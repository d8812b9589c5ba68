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
        from anju.notices import signals as notice_signals

        from .outbox import fan_out
        from .templating import register_core_templates

        register_core_templates()
        # Notices sit below this layer and never import it: hand them the fan-out and
        # let them connect their publish signal.
        notice_signals.connect(fan_out)
        celery_app.conf.beat_schedule = {**BEAT_SCHEDULE, **celery_app.conf.beat_schedule}
