"""Signals the services engine sends, for the plugins whose forms its cases came from.

``case_changed``
    Sent by ``workflow`` (transition, escalate, assign, follow_up) and by the SLA sweep,
    once per community, after the change is saved. It is a
    :class:`anju.core.signals.PluginSignal`: a plugin's receiver hears it only where the
    plugin is active, runs after the sender's transaction commits, in a transaction of
    its own, and a receiver that raises is logged and rolled back alone — the sweep's
    batch and the user's change stand. Arguments:

    ``community`` the primary key of the cases' community
    ``cases``  the changed cases (a list; the sweep sends one batch at a time)
    ``kind``   what happened: "status", "escalated", "assigned", "follow_up" or
               "overdue" (a community-level case ran over; nothing else changed)
    ``actor``  the user who did it, or None for the sweep

    The return value is ignored. Receivers must be quick (the sweep sends up to a batch
    of cases at a time), must filter to the cases they care about (``case.service.plugin
    == "<label>"`` — compare ``case.service_id`` against your own services to avoid a
    query per case), and must tolerate being called for a change they made themselves.
"""

from anju.core.signals import PluginSignal

case_changed = PluginSignal()


def send(cases, kind: str, actor=None) -> None:
    """Send ``case_changed`` for ``cases``, one signal per community among them."""
    from .models import Case

    by_community: dict[int, list] = {}
    for case in cases:
        by_community.setdefault(case.community_id, []).append(case)
    for community_id, some in by_community.items():
        case_changed.send(sender=Case, community=community_id, cases=some, kind=kind, actor=actor)
