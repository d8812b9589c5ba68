"""Settings for a Celery worker subprocess in the notify tests: the test settings, with
the slow SMS backend and knobs taken from the environment the test passes it.

The worker is another process, so override_settings cannot reach it: the tests start it
with DJANGO_SETTINGS_MODULE=tests.platform.notify.worker_settings.
"""

import os

from anju.settings.test import *  # noqa: F403

NOTIFY_BACKENDS = {"sms": "tests.platform.notify.backends.SlowLogSmsBackend"}
NOTIFY_TEST_SMS_DELAY = float(os.environ.get("NOTIFY_TEST_SMS_DELAY", "0"))
NOTIFY_REDELIVER_AFTER = float(os.environ.get("NOTIFY_TEST_REDELIVER_AFTER", "600"))
NOTIFY_TEST_HANDOVER_KEY = os.environ.get("NOTIFY_TEST_HANDOVER_KEY", "")
NOTIFY_DELIVERY_BATCH = int(os.environ.get("NOTIFY_TEST_DELIVERY_BATCH", "250"))
# The outbox (anju.core.outbox) and the fan-out's steps, for the fault-injection tests.
OUTBOX_LEASE = float(os.environ.get("OUTBOX_TEST_LEASE", "120"))
OUTBOX_GRACE = float(os.environ.get("OUTBOX_TEST_GRACE", "60"))
NOTICES_FAN_OUT_STEP = int(os.environ.get("NOTICES_TEST_FAN_OUT_STEP", "500"))
