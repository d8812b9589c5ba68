"""Process-local memory for what changes only when an editor publishes.

Which Wagtail site serves a host, the sites' root paths, a site's community, the plugins
active there, the home page's notice list: every request asks, and the answer changes
only on a publish, a plugin switched on or off, a site or community saved. Asking Redis
each time costs a round trip (and Django's Redis cache builds a client per call);
asking PostgreSQL costs a query. So each process keeps the answers in a dict, under the
**generation**: one counter in the shared cache (Redis in production) that every such
change increments (:func:`bump`). A request knows the counter once
(:class:`anju.portal.cache.AnonymousPageCacheMiddleware` calls :func:`begin`); an entry
made under another generation is never used, so a publish in one process is seen by every
other process on its next request.

Knowing the counter need not cost a Redis round trip per request, which is a third of
what a cached page costs to serve. With Redis, each process keeps one connection of its
own subscribed to the counter's channel, and :func:`bump` publishes on it after the
increment: a request only looks whether anything arrived on that socket (a poll, no
round trip) and reads the counter again when something did. The counter is also read
again at least every ``GENERATION_RECHECK_SECONDS`` (1), so a subscription lost without
the socket noticing (a half-open connection) costs at most that long; a connection that
breaks is dropped and the counter read on every request until a new subscription is
confirmed. Redis writes the announcement to the subscribed sockets in the same turn of
its event loop as its answer to the publisher, a few microseconds after it: a page
requested once the publisher's response has reached a browser sees the publish. Set
``GENERATION_RECHECK_SECONDS`` to 0 to read the counter on every request instead.

Entries also expire after ``LOCAL_CACHE_SECONDS`` (300) whatever happens, so what changes
with the clock alone (a notice past its expiry time) leaves within that time, as it
leaves the cached pages. When the shared cache is unreachable the generation cannot be
read, and nothing is remembered (every call builds afresh) until it is back.

The generation starts at a value taken from the clock, not at 1: a Redis restarted empty
never brings back a generation some process still holds entries for.
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
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


def recheck_seconds() -> float:
    return float(getattr(settings, "GENERATION_RECHECK_SECONDS", 1.0))


class Watcher:
    """This process's subscription to the generation's channel, and the generation it
    last read (see the module's docstring). Used only when the shared cache can publish
    (:class:`anju.core.cache.ResilientRedisCache`)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._connection = None
        self._known: int | None = None
        self._read_at = 0.0

    def forget(self) -> None:
        """Read the counter again on the next request (this process changed it)."""
        self._known = None

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.disconnect()
            except Exception:  # noqa: BLE001 - already broken: nothing left to close
                pass
        self._known = None

    def generation(self) -> int | None:
        # One thread at a time uses the connection; another meanwhile reads the counter.
        if not self._lock.acquire(blocking=False):
            return read_generation()
        try:
            return self._generation()
        finally:
            self._lock.release()

    def _generation(self) -> int | None:
        if self._pid != os.getpid():
            # A forked child: the socket is its parent's, left to the parent.
            self._pid, self._connection, self._known = os.getpid(), None, None
        if self._connection is None:
            self._connection = cache.subscribe(GENERATION_KEY)
            self._known = None
            if self._connection is None:  # Redis is down: no subscription, no memory
                return read_generation()
        try:
            while self._connection.can_read(timeout=0):
                self._connection.read_response(push_request=True)
                self._known = None  # something was published: read the counter again
        except Exception:  # noqa: BLE001 - any failure of the socket: subscribe afresh
            self.close()
            return read_generation()
        now = time.monotonic()
        if self._known is None or now - self._read_at >= recheck_seconds():
            self._known = read_generation()
            self._read_at = now
        return self._known


_watcher = Watcher()


def _cache_settings_changed(*, setting, **kwargs) -> None:
    # Another cache (tests' override_settings): the subscription is to the old one.
    if setting in ("CACHES", "GENERATION_RECHECK_SECONDS"):
        _watcher.close()


setting_changed.connect(_cache_settings_changed)


def watching() -> bool:
    """Whether this process learns of publishes from a subscription (Redis)."""
    return recheck_seconds() > 0 and hasattr(cache, "subscribe")


def current_generation() -> int | None:
    """The shared counter, as this process knows it: from its subscription when the
    shared cache has one, otherwise read now."""
    return _watcher.generation() if watching() else read_generation()


def generation() -> int | None:
    """This request's generation (known once, by :func:`begin`), or the shared counter
    outside a request."""
    value = _generation.get()
    return value if value is not None else current_generation()


def begin() -> contextvars.Token:
    """Know the generation for the request about to be served (pass the token to
    :func:`end` when it is done)."""
    return _generation.set(current_generation())


def end(token: contextvars.Token) -> None:
    _generation.reset(token)


def announce() -> None:
    """Move the shared counter and tell every process: what :func:`bump` does across
    processes (it also forgets this process's own entries)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # missing (or the cache is down: then nothing is remembered)
        cache.add(GENERATION_KEY, int(time.time() * 1000), timeout=None)
    if hasattr(cache, "publish"):
        cache.publish(GENERATION_KEY)
    _watcher.forget()


def _increment() -> None:
    announce()
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
    """Forget this process's entries and the generation it knows (tests; the shared
    counter is left alone)."""
    _store.clear()
    _watcher.forget()
