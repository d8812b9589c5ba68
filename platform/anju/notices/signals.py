"""When a notice is published, tell its residents (after the publish commits).

Connected when the notices app starts (NoticesConfig.ready()); the fan-out task calls the
notification layer (anju.notify), which sits below and knows nothing of notices.
"""

from django.db import transaction
from wagtail.signals import page_published

from .models import NoticePage
from .tasks import fan_out_notice


def queue_fan_out(sender, instance, **kwargs) -> None:
    """Queue the fan-out once the transaction that published the notice has committed:
    a worker must find the page live, and a rolled-back publish sends nothing."""
    page_id = instance.pk
    transaction.on_commit(lambda: fan_out_notice.delay(page_id))


def connect() -> None:
    page_published.connect(queue_fan_out, sender=NoticePage, dispatch_uid="notices.queue_fan_out")
