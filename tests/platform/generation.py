"""What another process does to the publish generation, done here over the cache's own
connections (never through this process's watcher), and how long this process may take
to hear of it."""

from __future__ import annotations

import time

from django.core.cache import cache

from anju.core import localcache

# Redis writes an announcement to the subscribers' sockets in the same turn of its event
# loop as it answers the publisher, but after that answer: a poll made the moment the
# publisher has its answer may be a few microseconds early. Far under any recheck time the
# tests set (60 s), so hearing it within this long is hearing it from the subscription.
HEARD_WITHIN = 1.0


def publish_elsewhere() -> int:
    """What :func:`anju.core.localcache.announce` does in another process: move the
    counter, announce it."""
    value = cache.incr(localcache.GENERATION_KEY)
    if hasattr(cache, "publish"):  # Redis; without it every process reads the counter
        cache.publish(localcache.GENERATION_KEY)
    return value


def heard(expected: int) -> int | None:
    """This process's generation once it is ``expected``, or what it still is after
    :data:`HEARD_WITHIN` seconds."""
    deadline = time.monotonic() + HEARD_WITHIN
    while True:
        value = localcache.current_generation()
        if value == expected or time.monotonic() >= deadline:
            return value
        time.sleep(0.001)
