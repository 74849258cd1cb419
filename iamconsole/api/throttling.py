"""Rate limiting per credential (access key, console user, else client address) for the REST
API: DRF's throttle hook over `iamconsole.iam.ratelimit`, the counter the AWS Query API shares,
so every worker and instance counts together. Rate: settings.API_RATE_LIMIT (env
API_RATE_LIMIT, default 50/second)."""

from __future__ import annotations

from rest_framework.throttling import BaseThrottle

from iamconsole.iam import ratelimit
from iamconsole.iam.caller import Caller


class CallerRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        caller = request.auth if isinstance(request.auth, Caller) else None
        self.wait_seconds = ratelimit.hit(ratelimit.identity(caller, self.get_ident(request)))
        return self.wait_seconds is None

    def wait(self) -> float | None:
        return self.wait_seconds
