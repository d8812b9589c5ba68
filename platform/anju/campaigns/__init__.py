"""Campaigns (专项走访): door-to-door programmes with target lists.

A ``Campaign`` says who must be reached (a target rule staff compose in the admin, or a
rule a plugin contributes), with which checklist (a form built with the services
engine's low-code builder, versioned) and how often (``recurrence``). Each period is a
``Round``: when it starts, its target list is materialised — one ``Target`` per
household (or resident), with a snapshot of the address and grid so a target that later
leaves the register keeps its record — and each target falls to the grid worker of its
grid. A grid worker answers a target (``TargetAnswer``) with an outcome; an answer may
open a case of the services engine and records a visit (四问) unless told not to.

Entry points other code uses:

``rounds.start_round(...)``, ``rounds.refresh_round(...)``  materialise a target list
``answering.record_answer(...)``  answer a target (checks scope and the round's state)
``progress.progress(...)``  reached / done / to revisit / refused / overdue per grid
``duelist.due_list(user)``  what a grid worker owes, in walking order, with plugins' items
``registry``  the target rules and due-item sources the plugin layer hands down
"""

# The public API plugins may use; everything else in this package is internal.
from anju.core.public import facade as _facade  # noqa: E402

PUBLIC = {
    "Campaign": "models",
    "Round": "models",
    "Target": "models",
    "TargetAnswer": "models",
    "Outcome": "models",
    "visible_targets": "visibility",
    "target_answered": "signals",
    "start_round": "rounds",
}
__getattr__, __dir__, __all__ = _facade(__name__, PUBLIC)
