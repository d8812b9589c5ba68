"""Rate limits of the residents' endpoints, read from settings at each request (so a
deployment, or a test, changes them without touching ``REST_FRAMEWORK``).

``SERVICES_API_SUBMIT_RATE`` (default: the portal's ``SERVICES_SUBMIT_RATE``, else
20 per hour) and ``SERVICES_API_TRACK_RATE`` (default: ``SERVICES_TRACK_RATE``, else 30
per hour), in DRF's notation: "20/hour", "5/min". Counted per signed-in user, else per
client address, in the default cache; what an unreachable cache means is
``fail_open`` (anju.core.ratelimits).
"""

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from anju.core.ratelimits import ResilientThrottleMixin


class _SettingsRateThrottle(ScopedRateThrottle):
    #: The throttle scope (the cache key's prefix) and where its rate is set.
    scope_name = ""
    setting = ""
    fallback_setting = ""
    default_rate = ""

    def get_rate(self):
        return (
            getattr(settings, self.setting, None)
            or getattr(settings, self.fallback_setting, None)
            or self.default_rate
        )

    def allow_request(self, request, view):
        self.scope = self.scope_name
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return SimpleRateThrottle.allow_request(self, request, view)


class SubmitThrottle(ResilientThrottleMixin, _SettingsRateThrottle):
    # A request is filed whatever the state of the rate-limit store.
    fail_open = True
    scope_name = "services_submit"
    setting = "SERVICES_API_SUBMIT_RATE"
    fallback_setting = "SERVICES_SUBMIT_RATE"
    default_rate = "20/hour"


class TrackThrottle(ResilientThrottleMixin, _SettingsRateThrottle):
    # An unlimited tracker would let anyone guess references: 503 while Redis is down.
    fail_open = False
    scope_name = "services_track"
    setting = "SERVICES_API_TRACK_RATE"
    fallback_setting = "SERVICES_TRACK_RATE"
    default_rate = "30/hour"
