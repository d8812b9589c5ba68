"""When a notice is published, tell its residents (after the publish commits).

Connected by the notification layer when it starts (anju.notify.apps), which also hands
over the fan-out the task uses: ``connect(fan_out)``.
"""

from django.db import transaction
from wagtail.signals import page_published

from .models import NoticePage
from .tasks import fan_out_notice, install_fan_out


def queue_fan_out(sender, instance, **kwargs) -> None:
    """Queue the fan-out once the transaction that published the notice has committed:
    a worker must find the page live, and a rolled-back publish sends nothing."""
    page_id = instance.pk
    transaction.on_commit(lambda: fan_out_notice.delay(page_id))


def connect(fan_out) -> None:
    install_fan_out(fan_out)
    page_published.connect(queue_fan_out, sender=NoticePage, dispatch_uid="notices.queue_fan_out")
