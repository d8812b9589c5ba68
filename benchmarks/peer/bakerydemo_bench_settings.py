"""bakerydemo's own production settings, as benchmarks/portal_gunicorn.py --peer runs them.

Kept outside bakerydemo's checkout (nothing in it is changed) and put on PYTHONPATH by
the benchmark, as ``DJANGO_SETTINGS_MODULE=bakerydemo_bench_settings``. It takes
``bakerydemo.settings.production`` whole (DEBUG off, WhiteNoise with compressed manifest
static files, persistent database connections from DATABASE_URL, django-redis for the
default and renditions caches) and changes only where things go, so that a benchmark
run writes nothing into the checkout and shares Redis with nobody:

- ``PEER_STATIC_ROOT``, ``PEER_MEDIA_ROOT``: the run's scratch directories.
- ``PEER_REDIS_URL``, ``PEER_CACHE_PREFIX``: one Redis database with the run's own key
  prefix for both caches (production puts them in databases 0 and 1 of REDIS_URL's
  server, which belong to others here; a prefix keeps them apart just as well).

The rest comes from the environment variables bakerydemo reads itself:
DJANGO_SECRET_KEY, DATABASE_URL, DJANGO_ALLOWED_HOSTS, SECURE_SSL_REDIRECT (False: no
TLS in front of the benchmark) and SECURE_HSTS_SECONDS.
"""

import os

from bakerydemo.settings.production import *  # noqa: F403

STATIC_ROOT = os.environ["PEER_STATIC_ROOT"]
MEDIA_ROOT = os.environ["PEER_MEDIA_ROOT"]

_redis_options = {
    "IGNORE_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": 2,
    "SOCKET_TIMEOUT": 2,
}
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": os.environ["PEER_REDIS_URL"],
        "OPTIONS": _redis_options,
        "KEY_PREFIX": os.environ["PEER_CACHE_PREFIX"],
    },
    "renditions": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": os.environ["PEER_REDIS_URL"],
        "OPTIONS": _redis_options,
        "KEY_PREFIX": os.environ["PEER_CACHE_PREFIX"] + "-renditions",
    },
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
