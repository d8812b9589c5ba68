"""Service forms: the platform serves each at /services/employment/forms/<slug>/ and files
every submission as a case of the services engine (reference number, assignee, SLA).

"I'm interested" is shown on each posting's page and handled by the employment staff
(service staff); the case is linked to the posting by an ``Interest`` row, saved in the
same transaction.
"""

from django.utils.translation import gettext_lazy as _

from anju.plugins import ServiceForm

from .forms import InterestForm
from .models import Interest


def save_interest(case, form) -> None:
    Interest.objects.create(posting=form.posting, case=case)


INTEREST_FORM = ServiceForm(
    slug="interest",
    title=_("I'm interested in this job"),
    description=_(
        "Leave your name and phone number: the employment service station will call you."
    ),
    form_class=InterestForm,
    on_submit=save_interest,
    handler_role="service_staff",
    accept_hours=24,
    resolve_hours=72,
)
service_forms = [INTEREST_FORM]
