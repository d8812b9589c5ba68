"""What the plugin tells staff, through the notify outbox."""

from django.utils.translation import gettext_lazy as _

from anju.plugins import NotificationTemplate

notification_templates = [
    NotificationTemplate(
        "safety.high_hazard",
        _("High-severity hazard {reference}"),
        _(
            "A high-severity hazard ({item}) was found at {address}: {reference}. "
            "Please see to it now."
        ),
    ),
]
