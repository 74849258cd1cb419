"""`/healthz` for load balancers and container orchestrators.

Checks every dependency the instance uses: the database (`SELECT 1`) and the cache (a write and
a read back: Redis with CACHE_URL, else the database's cache table). 200
{"status": "ok", "database": "ok", "cache": "ok"} when all answer; 503 with "status": "error"
and "unavailable" for each one that does not. No authentication, no session, no template: it
must stay cheap. It is exempt from the HTTPS redirect (settings.SECURE_REDIRECT_EXEMPT) so a
plain-HTTP health probe from the load balancer works; the Host header must still be allowed.
"""

from __future__ import annotations

import logging
import secrets

from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, caches
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from iamconsole.failures import RETRY_AFTER

logger = logging.getLogger(__name__)

PROBE_KEY = "iamconsole:healthz"


def database_ok(connection: BaseDatabaseWrapper) -> bool:
    """True when `connection` can run `SELECT 1`. Never raises for an unreachable database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError as exc:  # OperationalError (refused, timeout, auth) is a DatabaseError
        logger.warning("health check: database unavailable: %s", exc.__class__.__name__)
        # A broken persistent connection must not be reused by the next request.
        connection.close_if_unusable_or_obsolete()
        return False


def cache_ok(cache: BaseCache) -> bool:
    """True when `cache` stores a value and gives it back. Never raises for an unreachable
    cache (Redis refusing or timing out, the database behind the database cache)."""
    nonce = secrets.token_hex(8)
    try:
        cache.set(PROBE_KEY, nonce, timeout=30)
        return cache.get(PROBE_KEY) == nonce
    except Exception as exc:  # each backend has its own: redis.ConnectionError, DatabaseError…
        logger.warning("health check: cache unavailable: %s", exc.__class__.__name__)
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": database_ok(connections["default"]),
        "cache": cache_ok(caches[DEFAULT_CACHE_ALIAS]),
    }
    body = {name: "ok" if ok else "unavailable" for name, ok in checks.items()}
    if all(checks.values()):
        return JsonResponse({"status": "ok", **body})
    response = JsonResponse({"status": "error", **body}, status=503)
    response["Retry-After"] = RETRY_AFTER
    return response
