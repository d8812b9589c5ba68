"""Signals the services engine sends, for the plugins whose forms its cases came from.

``case_changed``
    Sent by ``workflow`` (transition, escalate, assign, follow_up) and by the SLA sweep,
    inside the transaction that made the change, after it is saved — a receiver's own
    writes commit or roll back with it. Arguments:

    ``cases``  the changed cases (a list; the sweep sends one batch at a time)
    ``kind``   what happened: "status", "escalated", "assigned", "follow_up" or
               "overdue" (a community-level case ran over; nothing else changed)
    ``actor``  the user who did it, or None for the sweep

    The return value is ignored. Receivers must be quick (the sweep sends up to a batch
    of cases at a time), must filter to the cases they care about (``case.service.plugin
    == "<label>"`` — compare ``case.service_id`` against your own services to avoid a
    query per case), and must tolerate being called for a change they made themselves.
"""

from django.dispatch import Signal

case_changed = Signal()


def send(cases, kind: str, actor=None) -> None:
    from .models import Case

    case_changed.send(sender=Case, cases=list(cases), kind=kind, actor=actor)
