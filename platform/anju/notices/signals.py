"""When a notice is published, tell its residents (after the publish commits).

Connected when the notices app starts (NoticesConfig.ready()); the fan-out task calls the
notification layer (anju.notify), which sits below and knows nothing of notices.
"""

from wagtail.signals import page_published

from anju.core import outbox

from .models import NoticePage
from .tasks import FAN_OUT_HANDLER, dedup_prefix


def queue_fan_out(sender, instance, **kwargs) -> None:
    """Record the fan-out in the transaction that publishes the notice (anju.core.outbox):
    a rolled-back publish records nothing, a committed one is announced whatever the
    broker's state; a worker takes it once the publish has committed."""
    outbox.schedule(FAN_OUT_HANDLER, key=dedup_prefix(instance.pk), page_id=instance.pk)


def connect() -> None:
    page_published.connect(queue_fan_out, sender=NoticePage, dispatch_uid="notices.queue_fan_out")
