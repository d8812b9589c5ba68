"""A Redis cache the site survives losing.

Redis holds only what can be rebuilt: cached pages, rate-limit counters, copies of
sessions (whose truth is the database, ``cached_db``). So when Redis is unreachable the
site carries on without it: a read is a miss, a write is dropped, and pages are rendered
afresh. After a failure the backend stops asking Redis for ``CACHE_RETRY_AFTER`` seconds (5) (a
simple circuit breaker), so an outage costs each request nothing, not a connect timeout
per cache call; then it tries again and recovers on its own.

Rate limits ask :func:`cache_down` to decide for themselves: limits that only protect
capacity fail open, limits that stop abuse (guessing references, passwords) fail closed
with a message saying so (``anju.core.ratelimits``).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("anju.cache")

#: Seconds the cache is left alone after Redis failed (setting CACHE_RETRY_AFTER).
COOLDOWN = 5.0


def cooldown() -> float:
    return float(getattr(settings, "CACHE_RETRY_AFTER", COOLDOWN))


# The failures that mean "Redis is not there" (a refused or reset connection, a
# timeout, a server still loading its data, a replica after a failover), not a bug in
# our call.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ReadOnlyError, OSError)


class KeptRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client builds a ``redis.Redis`` object (with its table of
    some 170 response callbacks) for every cache call, which is most of the CPU a cached
    page costs to serve; this one keeps one per connection pool, for the process (a
    ``redis.Redis`` is thread-safe, and its pool starts afresh in a forked child)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, answering a miss instead of raising when Redis is down."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptRedisCacheClient
        self._lock = threading.Lock()
        self._down_until = 0.0

    # -- the breaker --------------------------------------------------------------------

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            first = not self.is_down
            self._down_until = time.monotonic() + cooldown()
        if first:
            logger.warning("Redis cache unreachable, serving without it: %s", exc)

    def _call(self, fallback, method, *args, **kwargs):
        if self.is_down:
            return fallback
        try:
            return method(*args, **kwargs)
        except UNAVAILABLE as exc:
            self._failed(exc)
            return fallback

    # -- the cache API --------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._call(_MISSING, super().incr, key, delta, version)
        if result is _MISSING:
            # What Django's caches say of a key they do not hold.
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(None, super().delete_many, keys, version)

    def clear(self):
        return self._call(False, super().clear)

    # -- announcements between processes (anju.core.localcache) -------------------------

    def channel(self, name: str) -> str:
        """The pub/sub channel for ``name``: channels are shared by every database of a
        Redis server, so it carries the database number and the key prefix."""
        pool = self._cache.get_client(write=True).connection_pool
        return f"{pool.connection_kwargs.get('db', 0)}:{self.make_key(name)}"

    def publish(self, name: str) -> None:
        """Tell every process subscribed to ``name`` (:meth:`subscribe`) that it
        changed; nothing while Redis is down."""
        self._call(
            None,
            lambda: self._cache.get_client(write=True).publish(self.channel(name), b"1"),
        )

    def subscribe(self, name: str):
        """A connection of its own (not from the pool: it is kept subscribed),
        subscribed to ``name``'s channel on the server that :meth:`publish` writes to:
        ``connection.can_read(timeout=0)`` says, without a round trip, that something was
        published since. None while Redis is down."""
        if self.is_down:
            return None
        connection = None
        try:
            pool = self._cache.get_client(write=True).connection_pool
            connection = pool.connection_class(**pool.connection_kwargs)
            connection.connect()
            connection.send_command("SUBSCRIBE", self.channel(name))
            # The server's confirmation: from here on nothing published is missed.
            reply = connection.read_response(push_request=True)
            if not reply or reply[0] not in (b"subscribe", "subscribe"):
                raise RedisConnectionError(f"unexpected reply to SUBSCRIBE: {reply!r}")
            return connection
        except UNAVAILABLE as exc:
            if connection is not None:
                connection.disconnect()
            self._failed(exc)
            return None


_MISSING = object()


def cache_down(alias: str = "default") -> bool:
    """Whether the cache ``alias`` is known to be unreachable right now (always False
    for caches that cannot be: local memory, the database)."""
    return bool(getattr(caches[alias], "is_down", False))
