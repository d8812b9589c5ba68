"""``/health/``: what a load balancer or an operator asks before sending traffic.

The checks are django-health-check's: the database (a ``SELECT 1``), the cache (a write
and a read), the file storage (a file saved and deleted: the local disk or the S3
bucket), and, when they are configured, Redis (a ping) and the Celery workers (a
broadcast ping on the broker). Any failure answers 500 with what failed; ``?format=json``
or ``Accept: application/json`` for machines. The answer is never cached.

It names the services the site depends on, so deploy/nginx.conf serves it to the
internal network only.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from health_check.views import HealthCheckView


def checks() -> list:
    found: list = [
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "health_check.checks.Storage",
    ]
    if settings.REDIS_URL:
        from redis.asyncio import Redis

        url = settings.REDIS_URL
        found.append(
            ("health_check.contrib.redis.Redis", {"client_factory": lambda: Redis.from_url(url)})
        )
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        found.append(
            ("health_check.contrib.celery.Ping", {"timeout": datetime.timedelta(seconds=2)})
        )
    return found


class AnjuHealthView(HealthCheckView):
    """The checks follow the settings of the moment (a test may point REDIS_URL away)."""

    def get_checks(self):
        self.checks = checks()
        return super().get_checks()


def health_view():
    return AnjuHealthView.as_view()
