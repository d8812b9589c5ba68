"""Notification templates: the SMS a matching job seeker gets about a new posting, and
the one a resident gets when a place on a course frees up for them."""

from django.utils.translation import gettext_lazy as _

from anju.plugins import NotificationTemplate

notification_templates = [
    NotificationTemplate(
        code="employment.new_posting",
        subject=_("A job for you: {title}"),
        body=_(
            "A job that suits you: {title} at {employer}, {pay} yuan a month, {place}. "
            "Apply by {closing_date}. Details: {url}"
        ),
    ),
    NotificationTemplate(
        code="employment.course_place",
        subject=_("A place for you on {course}"),
        body=_(
            "{name}, a place has come free on the course “{course}”: you are now enrolled. "
            "Call the employment service station if you cannot come."
        ),
    ),
]
