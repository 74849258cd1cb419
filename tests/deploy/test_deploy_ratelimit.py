"""The request rate limit shared by the REST API and the AWS Query API: one counter per
credential in the shared cache (the database cache table here, Redis when CACHE_URL is set)."""

from __future__ import annotations

import secrets

import pytest
import redis
from deploy_support import in_ci, manage, port_open, production_env
from django.test import override_settings

from iamconsole.iam import ratelimit
from iamconsole.iam.ratelimit import Rate

T0 = 1_800_000_000.25  # 0.25 s into a one-second window


def test_parse_rate_reads_drf_style_rates():
    assert ratelimit.parse_rate("50/second") == Rate(50, 1)
    assert ratelimit.parse_rate("3000/minute") == Rate(3000, 60)
    assert ratelimit.parse_rate("10/h") == Rate(10, 3600)
    assert ratelimit.parse_rate("1/day") == Rate(1, 86400)
    assert ratelimit.parse_rate("off") is None
    assert ratelimit.parse_rate("") is None
    with pytest.raises(ValueError, match="invalid rate"):
        ratelimit.parse_rate("fast")
    with pytest.raises(ValueError, match="invalid rate"):
        ratelimit.parse_rate("5/fortnight")


def _window_behaviour(ident: str) -> None:
    rate = Rate(3, 1)
    answers = [ratelimit.hit(ident, rate, now=T0 + i * 0.1) for i in range(4)]
    assert answers[:3] == [None, None, None]
    # The fourth request in the window waits until the window ends (0.25 + 0.3 s in → 0.45 s).
    assert answers[3] == pytest.approx(0.45)
    # Another credential has its own budget; the next window starts afresh.
    assert ratelimit.hit(ident + "-other", rate, now=T0) is None
    assert ratelimit.hit(ident, rate, now=T0 + 1) is None


@pytest.mark.django_db
def test_fixed_window_on_the_database_cache():
    _window_behaviour(f"key:AKIATEST{secrets.token_hex(4)}")


def test_fixed_window_on_redis_in_one_round_trip():
    if not port_open("127.0.0.1", 6379):
        if in_ci():
            pytest.fail("Redis is not reachable at 127.0.0.1:6379 (required when CI=true)")
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                               "LOCATION": "redis://127.0.0.1:6379/13"}}
    with override_settings(CACHES=redis_cache):  # Django swaps the cache handlers for it
        ident = f"key:AKIATEST{secrets.token_hex(4)}"
        _window_behaviour(ident)
        # The counters live in Redis with an expiry, not in this process.
        server = redis.Redis.from_url("redis://127.0.0.1:6379/13")
        try:
            keys = server.keys(f"*{ident}")
            assert len(keys) == 2  # two windows
            assert all(0 < server.ttl(key) <= 2 for key in keys)
        finally:
            server.delete(*server.keys(f"*{ident}*"))
            server.close()


def test_rate_limit_setting_is_validated():
    result = manage("check", env=production_env(API_RATE_LIMIT="lots"))
    assert result.returncode != 0
    assert "API_RATE_LIMIT" in result.stderr
