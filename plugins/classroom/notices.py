"""The SMS the classroom sends: arrival and pick-up to the guardians (at home and
working away), a place from the waiting list, and class notices."""

from django.utils.translation import gettext_lazy as _

from anju.plugins import NotificationTemplate

notification_templates = [
    NotificationTemplate(
        code="classroom.arrived",
        subject=_("{child} arrived"),
        body=_("Seven-colour classroom: {child} arrived {time}"),
    ),
    NotificationTemplate(
        code="classroom.picked_up",
        subject=_("{child} went home"),
        body=_("Seven-colour classroom: {child} picked up by {who} {time}"),
    ),
    NotificationTemplate(
        code="classroom.place",
        subject=_("A place for {child}"),
        body=_(
            "Seven-colour classroom: a place has come free in “{klass}”: {child} is now enrolled."
        ),
    ),
    NotificationTemplate(
        code="classroom.notice",
        subject=_("Notice from {klass}"),
        body=_("Seven-colour classroom, {klass}: {text}"),
    ),
]
