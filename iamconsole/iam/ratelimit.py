"""Request rate limits per credential, shared by every worker and instance (Django's cache:
Redis via CACHE_URL in production, the database cache table otherwise).

A fixed-window counter: `hit(identity)` counts one request in the current window of the
configured rate (settings.API_RATE_LIMIT, "N/second|minute|hour|day", the REST API and the AWS
Query API alike) and says how long to wait when the window's budget is spent. On Redis that is
one round trip (INCR and EXPIRE in a pipeline); other caches use add/incr.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache

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


def _count(key: str, ttl: int) -> int:
    cache = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(cache, RedisCache):
        full_key = cache.make_and_validate_key(key)
        client = cache._cache.get_client(full_key, write=True)
        pipe = client.pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, ttl)
        return int(pipe.execute()[0])
    if cache.add(key, 1, timeout=ttl):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=ttl)
        return 1


def hit(identity: str, rate: Rate | None = None, *, now: float | None = None) -> float | None:
    """Count one request by `identity` (e.g. "key:AKIA…"); None when it is within the rate,
    else the seconds until the next window opens."""
    rate = rate if rate is not None else current_rate()
    if rate is None:
        return None
    now = time.time() if now is None else now
    window = int(now // rate.period)
    count = _count(f"ratelimit:{rate.period}:{window}:{identity}", rate.period + 1)
    if count <= rate.requests:
        return None
    return max(0.001, (window + 1) * rate.period - now)
