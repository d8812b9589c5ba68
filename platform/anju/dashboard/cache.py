"""The board's figures kept for a short while (``DASHBOARD_CACHE_SECONDS``, 60; 0 turns
it off): what ``build_board`` counted — per tile its counts per grid, the grids, the trend
— under a key of the user, the community and the month. The user is part of the key
because the figures are counted over what that user may see.

Any write to a model of an app whose records a tile counts (the register, cases,
campaigns, notices, grants, group membership, the plugins that contribute tiles) moves
a generation number every key carries, so a saved visit or case shows at the next
load; writes that send no signal (``QuerySet.update``, bulk inserts) show when the
entry expires. Nothing pickled but numbers and strings.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger("anju.dashboard")

GENERATION_KEY = "anju:dashboard:generation"
#: Apps whose writes may change a figure, besides the plugins that contribute tiles.
COUNTED_APPS = {
    "auth",
    "campaigns",
    "community",
    "guardian",
    "notices",
    "permissions",
    "services",
    "wagtailcore",  # a notice's publication
    "anju_plugins",  # a plugin switched on or off in a community
}


def seconds() -> int:
    return int(getattr(settings, "DASHBOARD_CACHE_SECONDS", 60))


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    return value


def bump(**_kwargs) -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet (or evicted): anything cached is unreachable
        cache.add(GENERATION_KEY, 1, timeout=None)
    except Exception:  # the cache is down: never fail the write for it
        logger.warning("Could not move the dashboard's cache generation", exc_info=True)


def key(user, community, start) -> str:
    return (
        f"anju:dashboard:{generation()}:{user.pk}:"
        f"{community.pk if community is not None else '-'}:{start:%Y-%m}"
    )


def counted(app_label: str) -> bool:
    from anju.plugins.registry import contributions

    return app_label in COUNTED_APPS or any(
        c.plugin == app_label for c in contributions("dashboard_tiles")
    )


def _on_write(sender, **kwargs) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is not None and counted(meta.app_label):
        bump()


def connect() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_write, dispatch_uid=f"anju-dashboard-{signal!r}")
