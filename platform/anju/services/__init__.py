"""Services (便民服务): the request engine.

Every resident request — from a plugin's code-defined form or from a form staff build in
the admin — becomes a tracked ``Case``: a reference number residents can read out on the
phone, the requester, the household and so the grid, the data as submitted, attachments,
a status workflow (``workflow.py``) with a timeline, an assignee, SLA deadlines swept by
Celery beat (``sla.py``) and escalation grid → community: "small matters stay in the
grid, big matters stay in the community" (小事不出网格，大事不出社区).

Entry points other code uses:

``submission.submit(...)``   make a case (idempotent with a key)
``workflow.transition(...)``, ``workflow.assign(...)``, ``workflow.comment(...)``,
``workflow.follow_up(...)``  change one, each recorded in the case's timeline
``visibility.visible_cases(user)``  the one way to list cases a person may see
``sla.sweep_overdue()``      escalate what is overdue, in batches
"""

# The public API plugins may use (docs/plugins.md, "Reference"); everything else in this
# package is internal. Loaded on first use: see anju.core.public.
from anju.core.public import facade as _facade  # noqa: E402

PUBLIC = {
    "Case": "models",
    "CaseEvent": "models",
    "Service": "models",
    "ServiceField": "models",
    "Status": "models",
    "Level": "models",
    "DONE_STATUSES": "models",
    "submit": "submission",
    "Requester": "submission",
    "service_for_code_form": "submission",
    "format_reference": "submission",
    "transition": "workflow",
    "escalate": "workflow",
    "hand_over_case": "workflow",
    "assign": "workflow",
    "comment": "workflow",
    "follow_up": "workflow",
    "add_attachment": "workflow",
    "WorkflowError": "workflow",
    "may_work_on": "workflow",
    "visible_cases": "visibility",
    "can_see_case": "visibility",
    "case_changed": "signals",
    "UploadField": "fieldtypes",
    "build_form_class": "fieldtypes",
    "validate_upload": "uploads",
    "handle_request_form": "views",
    # A portal form's page that may be cached for anonymous visitors: the CSRF token
    # comes from form_token.js (templates: anju_services/_token_*.html).
    "form_page_response": "views",
    "FollowUpForm": "forms",
    "upload_path": "uploads",
}
__getattr__, __dir__, __all__ = _facade(__name__, PUBLIC)
