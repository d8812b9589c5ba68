"""Process-local memory for what changes only when an editor publishes.

Which Wagtail site serves a host, the sites' root paths, a site's community, the plugins
active there, the home page's notice list: every request asks, and the answer changes
only on a publish, a plugin switched on or off, a site or community saved. Asking Redis
each time costs a round trip (and Django's Redis cache builds a client per call);
asking PostgreSQL costs a query. So each process keeps the answers in a dict, under the
**generation**: one counter in the shared cache (Redis in production) that every such
change increments (:func:`bump`). A request reads the counter once
(:class:`anju.portal.cache.AnonymousPageCacheMiddleware` calls :func:`begin`); an entry
made under another generation is never used, so a publish in one process is seen by every
other process on its next request.

Entries also expire after ``LOCAL_CACHE_SECONDS`` (300) whatever happens, so what changes
with the clock alone (a notice past its expiry time) leaves within that time, as it
leaves the cached pages. When the shared cache is unreachable the generation cannot be
read, and nothing is remembered (every call builds afresh) until it is back.

The generation starts at a value taken from the clock, not at 1: a Redis restarted empty
never brings back a generation some process still holds entries for.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "anju:portal:generation"
#: At most this many entries per process; past it the dict starts again empty.
MAX_ENTRIES = 2000

_generation: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "anju_generation", default=None
)
_store: dict[Any, tuple[int, float, Any]] = {}
_MISSING = object()


def seconds() -> float:
    return float(getattr(settings, "LOCAL_CACHE_SECONDS", 300))


def read_generation() -> int | None:
    """The shared counter (one cache round trip), created if missing; None when the
    cache is unreachable."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, int(time.time() * 1000), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def generation() -> int | None:
    """This request's generation (read once, by :func:`begin`), or the shared counter
    read now outside a request."""
    value = _generation.get()
    return value if value is not None else read_generation()


def begin() -> contextvars.Token:
    """Read the generation for the request about to be served (pass the token to
    :func:`end` when it is done)."""
    return _generation.set(read_generation())


def end(token: contextvars.Token) -> None:
    _generation.reset(token)


def _increment() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # missing (or the cache is down: then nothing is remembered)
        cache.add(GENERATION_KEY, int(time.time() * 1000), timeout=None)
    _generation.set(None)
    _store.clear()


def bump(*args, **kwargs) -> None:
    """Something published-only changed: forget it everywhere. Again after the
    transaction commits, so a request that read the old rows meanwhile in another
    process cannot keep them under the new generation. Takes (and ignores) a signal's
    arguments, so it can be connected to signals directly."""
    _increment()
    transaction.on_commit(_increment)


def remember(key, build: Callable[[], Any]) -> Any:
    """``build()``'s result, kept in this process until the generation changes (or
    ``LOCAL_CACHE_SECONDS`` pass). ``key`` must say everything the result depends on
    (the language, the site, the page...)."""
    current = generation()
    if current is None:
        return build()
    now = time.monotonic()
    entry = _store.get(key, _MISSING)
    if entry is not _MISSING and entry[0] == current and entry[1] > now:
        return entry[2]
    value = build()
    if len(_store) >= MAX_ENTRIES:
        _store.clear()
    _store[key] = (current, now + seconds(), value)
    return value


def get(key, default=None):
    """The entry for ``key`` made under this generation, or ``default`` (for a caller that
    fills it with :func:`put` only when it has something worth keeping)."""
    current = generation()
    entry = _store.get(key, _MISSING)
    if current is None or entry is _MISSING or entry[0] != current or entry[1] <= time.monotonic():
        return default
    return entry[2]


def put(key, value) -> None:
    current = generation()
    if current is None:
        return
    if len(_store) >= MAX_ENTRIES:
        _store.clear()
    _store[key] = (current, time.monotonic() + seconds(), value)


def lazy_context(build: Callable[[], dict], names) -> dict:
    """``names`` of the dict ``build()`` returns, each a lazy value: ``build`` runs only
    when a template asks for one of them, which it does not when the fragment that shows
    them is kept ({% publishcache %}, anju.core.templatetags.publishcache)."""
    from django.utils.functional import SimpleLazyObject

    values = SimpleLazyObject(build)
    return {name: SimpleLazyObject(partial(_item, values, name)) for name in names}


def _item(mapping, name):
    return mapping[name]


def clear() -> None:
    """Forget this process's entries (tests; the shared counter is left alone)."""
    _store.clear()
