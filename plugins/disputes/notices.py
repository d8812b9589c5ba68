"""What the plugin tells staff, through the notify outbox."""

from django.utils.translation import gettext_lazy as _

from anju.plugins import NotificationTemplate

notification_templates = [
    NotificationTemplate(
        "disputes.high_risk",
        _("High-risk dispute {reference}"),
        _(
            "A high-risk dispute ({type}) has been recorded in {grid}: {reference}. "
            "Please see to it now."
        ),
    ),
    NotificationTemplate(
        "disputes.follow_up_due",
        _("Follow-up due: dispute {reference}"),
        _("The dispute {reference} was settled; it is time to ask whether the settlement held."),
    ),
]
