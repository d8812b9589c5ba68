"""Tests: whatever DATABASE_URL / REDIS_URL / CELERY_BROKER_URL say (CI sets all three),
the embedded default otherwise."""

import os
import re

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="test-only-secret-key-not-for-production-use-0123456789")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Serve straight from the apps' static folders; no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if REDIS_URL:  # noqa: F405
    # Tests clear the cache between tests (a FLUSHDB): each parallel pytest-xdist worker
    # gets a Redis database of its own, counted from REDIS_URL's (/0: 2, 3, ...; /10: 12,
    # 13, ...), so runs side by side on one Redis keep apart.
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    _base = re.search(r"/(\d+)/?$", REDIS_URL)  # noqa: F405
    _offset = (int(_base.group(1)) if _base else 0) + int(_worker.removeprefix("gw") or 0)
    _db = 2 + _offset % 14  # Redis has 16 databases; 0 and 1 stay the app's and broker's
    CACHES["default"]["LOCATION"] = re.sub(r"(/\d+)?$", f"/{_db}", REDIS_URL.rstrip("/"), count=1)  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = "anju-test"  # noqa: F405

# Tests count the dashboard afresh (tests/platform/dashboard/test_cache.py turns it on).
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=0)

# Tasks run in-process unless a test asks for the real worker (the ``celery_worker``
# fixture in tests/conftest.py turns this off and starts one on the Redis broker).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# A queue of our own, so a test run never feeds (or is fed by) another worker on the broker.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default=f"anju-test-{os.getpid()}")
NOTIFY_BULK_QUEUE = env("NOTIFY_BULK_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}.bulk")
CELERY_TASK_QUEUES = celery_queues(CELERY_TASK_DEFAULT_QUEUE, NOTIFY_BULK_QUEUE)  # noqa: F405

# The core's own tests carry a dummy plugin that uses every extension point.
INSTALLED_APPS = with_plugins(  # noqa: F405
    CORE_APPS,  # noqa: F405
    PLUGIN_ERRORS_FATAL,  # noqa: F405
    extra=[
        path
        for path in env.list(
            "ANJU_TEST_PLUGINS", default=["tests.dummy_plugin.apps.DummyPluginConfig"]
        )
        if path
    ],
)
