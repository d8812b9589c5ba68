"""The real services, when configured: CI configures all of them."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_is_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 130000


@pytest.mark.redis
def test_cache_and_sessions_live_in_redis():
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    # cached_db: a session lives in the database too, so no login is lost with Redis.
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    key = f"probe-{uuid.uuid4().hex}"
    cache.set(key, "安居", 30)
    import redis

    raw = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    # The value is really in Redis, under our prefix, not in a process-local cache.
    assert any(key in k.decode() for k in raw.scan_iter(match=f"*{key}*"))
    assert cache.get(key) == "安居"
    cache.delete(key)
