"""Campaigns over REST (/api/campaigns/...).

- ``GET  campaigns/campaigns/`` and ``campaigns/campaigns/<id>/``: the campaigns the user
  may see; ``.../<id>/progress/``: its recent rounds, per grid;
- ``GET  campaigns/progress/``: every open round, per grid, with the lagging grids;
- ``GET  campaigns/targets/`` (filtered by round, grid, outcome; paged) and
  ``campaigns/targets/<id>/`` with its answers;
- ``POST campaigns/targets/<id>/answer/``: answer it (the checklist as a JSON object,
  the outcome, optionally a case's answers to open one); a closed round is a 400 with
  the reason, a target outside the user's grids a 404;
- ``POST campaigns/targets/<id>/reassign/``: the committee gives it to someone;
- ``GET  campaigns/due/``: the user's due list, in walking order, with plugins' items.

Every list runs the same number of queries whatever its length. ``ROUTES`` is registered
on the API router by ``anju.api.urls``.
"""

from .views import ROUTES

__all__ = ["ROUTES"]
