"""The publish generation's subscription (anju.core.localcache.Watcher) when Redis goes
away: killed by the server, or the server stopped and started empty. Each time the process
notices at its next request, reads the counter instead of trusting what it knew, and
subscribes again, so a later publish elsewhere is heard at once. On a redis-server of the
test's own (tests/platform/faults/conftest.py)."""

import pytest
import redis
from django.core.cache import cache

from anju.core import localcache

from ..generation import heard, publish_elsewhere
from .conftest import wait_out_breaker

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def watched(redis_cache, settings):
    # Only an announcement or a lost subscription makes the process read the counter.
    settings.GENERATION_RECHECK_SECONDS = 60
    return redis_cache


def test_a_subscription_killed_by_the_server_is_noticed_and_renewed(watched):
    first = localcache.current_generation()
    server = redis.Redis(port=watched.port)
    assert server.client_kill_filter(_type="pubsub") == 1  # this process's subscription
    moved = server.incr(cache.make_key(localcache.GENERATION_KEY))  # unheard: nobody listens
    assert moved == first + 1
    assert localcache.current_generation() == moved  # the closed socket is noticed
    assert localcache.current_generation() == moved  # subscribed again
    assert server.pubsub_numsub(cache.channel(localcache.GENERATION_KEY))[0][1] == 1
    published = publish_elsewhere()
    assert heard(published) == published  # and heard, not re-read: the recheck is 60 s


def test_redis_stopped_and_started_empty(watched):
    assert localcache.current_generation() is not None
    watched.stop()
    assert localcache.current_generation() is None  # nothing is known, nothing remembered
    assert localcache.current_generation() is None
    watched.start()
    wait_out_breaker()
    restarted = localcache.current_generation()
    assert restarted is not None
    assert localcache.current_generation() == restarted
    published = publish_elsewhere()
    assert published == restarted + 1
    assert heard(published) == published
