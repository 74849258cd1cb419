"""Shared counters that count right under concurrency, on every worker and instance: sign-in
failures (lockout) and request rates.

`increment(key, ttl)` adds one and returns the new count; a counter lives `ttl` seconds from its
first increment (a fixed window), then starts again from one. With Redis as the cache
(CACHE_URL) it is INCR + EXPIRE NX in one round trip. Otherwise it is a row of the `Counter`
table changed by one atomic UPDATE (value = value + 1) under the row's lock, created on first
use (a unique key settles concurrent creators): Django's database cache would read and write
the value in two steps and lose increments made at the same time.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.db.models import F

from . import clock
from .models import Counter


def _redis() -> RedisCache | None:
    cache = caches[DEFAULT_CACHE_ALIAS]
    return cache if isinstance(cache, RedisCache) else None


def _writer(redis_cache: RedisCache):
    """The primary's client, kept on the (per-thread) cache object: Django builds a new
    redis.Redis on every call, a noticeable part of a rate-limited request's CPU."""
    client = getattr(redis_cache, "_iamconsole_writer", None)
    if client is None:
        client = redis_cache._cache.get_client(write=True)
        redis_cache._iamconsole_writer = client
    return client


def increment(key: str, ttl: int) -> int:
    """Add one to `key` (created with a lifetime of `ttl` seconds) and return its value."""
    redis_cache = _redis()
    if redis_cache is not None:
        full_key = redis_cache.make_and_validate_key(key)
        pipe = _writer(redis_cache).pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, ttl, nx=True)  # the window runs from the first increment
        return int(pipe.execute()[0])
    now = clock.now()
    with transaction.atomic():
        if Counter.objects.filter(key=key, expires_at__gt=now).update(value=F("value") + 1):
            # The UPDATE holds the row's lock until commit: this read sees our own increment.
            return Counter.objects.values_list("value", flat=True).get(key=key)
        # No live counter: drop expired ones (this one and any other) and start at one.
        Counter.objects.filter(expires_at__lte=now).delete()
        try:
            with transaction.atomic():
                Counter.objects.create(key=key, value=1, expires_at=now + timedelta(seconds=ttl))
            return 1
        except IntegrityError:  # another request created it first: count on it
            Counter.objects.filter(key=key).update(value=F("value") + 1)
            return Counter.objects.values_list("value", flat=True).get(key=key)


def value(key: str) -> int:
    """The live count of `key`: 0 when it was never incremented or its window is over."""
    redis_cache = _redis()
    if redis_cache is not None:
        raw = _writer(redis_cache).get(redis_cache.make_and_validate_key(key))
        return int(raw) if raw is not None else 0
    found = Counter.objects.filter(key=key, expires_at__gt=clock.now()).values_list(
        "value", flat=True).first()
    return found or 0


def reset(*keys: str) -> None:
    redis_cache = _redis()
    if redis_cache is not None:
        for key in keys:
            _writer(redis_cache).delete(redis_cache.make_and_validate_key(key))
        return
    Counter.objects.filter(key__in=keys).delete()
