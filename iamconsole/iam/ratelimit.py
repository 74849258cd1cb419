"""Request rate limits per credential, shared by every worker and instance (`counters`: Redis
via CACHE_URL in production, an atomic database counter otherwise).

A fixed-window counter: `hit(identity)` counts one request in the current window of the
configured rate (settings.API_RATE_LIMIT, "N/second|minute|hour|day", the REST API and the AWS
Query API alike) and says how long to wait when the window's budget is spent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

from . import counters
from .caller import Caller

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    requests: int
    period: int  # seconds


def parse_rate(text: str | None) -> Rate | None:
    """"50/second" → Rate(50, 1); None or "" or "off" → no limit (DRF's rate syntax)."""
    if not text or text.strip().lower() in ("off", "none"):
        return None
    count, _, period = text.strip().partition("/")
    try:
        requests = int(count)
        seconds = PERIODS[period.strip()[:1].lower()]
    except (ValueError, KeyError):
        raise ValueError(f"invalid rate {text!r}: expected N/second|minute|hour|day") from None
    return Rate(requests, seconds)


def current_rate() -> Rate | None:
    """Read at request time, so a settings change (and override_settings in tests) applies."""
    return parse_rate(getattr(settings, "API_RATE_LIMIT", None))


def identity(caller: Caller | None, client_address: str | None) -> str:
    """Whose budget a request spends: its access key, else its console user, else its address."""
    if caller is not None:
        if caller.access_key_id:
            return f"key:{caller.access_key_id}"
        if caller.user is not None:
            return f"user:{caller.user.pk}"
    return f"ip:{client_address or ''}"


def hit(identity: str, rate: Rate | None = None, *, now: float | None = None) -> float | None:
    """Count one request by `identity` (e.g. "key:AKIA…"); None when it is within the rate,
    else the seconds until the next window opens."""
    rate = rate if rate is not None else current_rate()
    if rate is None:
        return None
    now = time.time() if now is None else now
    window = int(now // rate.period)
    count = counters.increment(f"ratelimit:{rate.period}:{window}:{identity}", rate.period + 1)
    if count <= rate.requests:
        return None
    return max(0.001, (window + 1) * rate.period - now)
