"""Service forms: the platform serves each at /services/safety/forms/<slug>/ and files
every submission as a case of the services engine (reference number, assignee, SLA).

- "connect": a gas-connection application (申请通燃气), handed to the gas company;
- "report": a resident reports a hazard (举报隐患).

``CHECKLIST`` is not a service form residents see: it is the door-to-door checklist,
a code-defined form of the engine that the safety campaign uses as its checklist.
"""

from django.utils.translation import gettext_lazy as _

from anju.plugins import ServiceForm

from . import handling
from .forms import ChecklistForm, ConnectionForm, HazardReportForm

CONNECTION_FORM = ServiceForm(
    slug="connect",
    title=_("Apply for a piped gas connection"),
    description=_(
        "Stop using bottled LPG: apply here and the county gas company will call you to "
        "arrange the connection."
    ),
    form_class=ConnectionForm,
    on_submit=handling.save_connection,
    handler_role="grid_worker",
    accept_hours=48,
    resolve_hours=24 * 30,
)
HAZARD_FORM = ServiceForm(
    slug="report",
    title=_("Report a safety hazard"),
    description=_(
        "A blocked stairwell, an e-bike charging in the corridor, a smell of gas: tell us "
        "and the grid worker will come and see."
    ),
    form_class=HazardReportForm,
    on_submit=handling.save_report,
    handler_role="grid_worker",
    accept_hours=24,
    resolve_hours=24 * 14,
)
CHECKLIST = ServiceForm(
    slug="checklist",
    title=_("Door-to-door safety check"),
    description=_("The standard checklist of the seasonal gas, fire and electrical checks."),
    form_class=ChecklistForm,
    on_submit=None,
    allow_anonymous=False,
)
service_forms = [CONNECTION_FORM, HAZARD_FORM]
SERVICE_FORMS_BY_SLUG = {f.slug: f for f in (CONNECTION_FORM, HAZARD_FORM, CHECKLIST)}
