"""How a process learns that the publish generation moved (anju.core.localcache.Watcher):
from its subscription to the generation's channel on Redis, without a round trip per
request; from reading the counter again when the subscription is lost, or at least every
GENERATION_RECHECK_SECONDS. What another process does is done here over the cache's own
connections, never through this process's watcher."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import Client

from anju.core import localcache

from .generation import heard, publish_elsewhere

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


def counted_reads(monkeypatch) -> list:
    reads = []
    real_get = cache.get

    def get(key, *args, **kwargs):
        reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", get)
    return reads


@pytest.fixture
def recheck(settings):
    settings.GENERATION_RECHECK_SECONDS = 60
    return settings


def test_the_generation_is_known_without_reading_it_each_time(recheck, monkeypatch):
    first = localcache.current_generation()
    assert first is not None
    reads = counted_reads(monkeypatch)
    assert [localcache.current_generation() for _ in range(5)] == [first] * 5
    assert reads == []


def test_a_publish_in_another_process_is_seen_at_once(recheck, monkeypatch):
    before = localcache.current_generation()
    reads = counted_reads(monkeypatch)
    after = publish_elsewhere()
    assert after == before + 1
    assert heard(after) == after
    assert reads == [localcache.GENERATION_KEY]  # read again because it was announced
    assert localcache.current_generation() == after
    assert reads == [localcache.GENERATION_KEY]


def test_a_change_never_announced_is_seen_within_the_recheck_time(settings):
    # One second: a busy CI machine may stall a few hundred milliseconds between the
    # read and the check that nothing was re-read.
    settings.GENERATION_RECHECK_SECONDS = 1
    before = localcache.current_generation()
    cache.incr(localcache.GENERATION_KEY)  # no announcement: a lost message
    assert localcache.current_generation() == before
    time.sleep(1.05)
    assert localcache.current_generation() == before + 1


def test_with_recheck_off_the_counter_is_read_on_every_request(settings, monkeypatch):
    settings.GENERATION_RECHECK_SECONDS = 0
    localcache.current_generation()
    reads = counted_reads(monkeypatch)
    localcache.current_generation()
    localcache.current_generation()
    assert reads == [localcache.GENERATION_KEY] * 2


def test_a_page_published_elsewhere_leaves_this_process_cache(recheck, world):
    """The whole path: a page kept in this process's memory is not served once another
    process announces a publish."""
    from anju.portal.site import ensure_home_page

    ensure_home_page()
    client = Client()
    assert client.get("/")["X-Anju-Cache"] == "miss"
    assert client.get("/")["X-Anju-Cache"] == "hit"
    heard(publish_elsewhere())
    assert client.get("/")["X-Anju-Cache"] == "miss"
    assert client.get("/")["X-Anju-Cache"] == "hit"
