"""Rate limiting per credential (access key, console user, else client address), cache-backed so
every instance shares the counters. Rate: REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"]
(env API_RATE_LIMIT, default 50/second)."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from iamconsole.iam.caller import Caller


class CallerRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        # Read at request time so a settings change (and override_settings in tests) applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        caller = request.auth
        if isinstance(caller, Caller):
            if caller.access_key_id:
                ident = f"key:{caller.access_key_id}"
            elif caller.user is not None:
                ident = f"user:{caller.user.pk}"
            else:
                ident = f"ip:{self.get_ident(request)}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
