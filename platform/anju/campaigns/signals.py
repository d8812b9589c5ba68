"""Signals campaigns send, for plugins that act on what grid workers find door to door.

``target_answered``
    Sent by ``answering.record_answer`` once an answer is saved (whichever page or API
    call made it). A :class:`anju.core.signals.PluginSignal`: a plugin's receiver hears
    it only where the plugin is active, after the answer's transaction commits, in a
    transaction of its own; a receiver that raises is logged and rolled back alone —
    the answer stands. Arguments:

    ``community`` the primary key of the campaign's community
    ``answers``   the saved ``TargetAnswer`` objects (a list)
    ``actor``     the user who answered

    The return value is ignored. Receivers filter to the campaigns they care about
    (e.g. by ``answer.target.round.campaign.checklist_id``) and must tolerate being
    called twice for one answer (make what they create unique per answer).
"""

from anju.core.signals import PluginSignal

target_answered = PluginSignal()
