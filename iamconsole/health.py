"""`/healthz` for load balancers and container orchestrators.

200 {"status": "ok", "database": "ok"} when the database answers a trivial query, 503 otherwise.
No authentication, no session, no template: it must stay cheap and must not depend on anything
but the database. It is exempt from the HTTPS redirect (settings.SECURE_REDIRECT_EXEMPT) so a
plain-HTTP health probe from the load balancer works; the Host header must still be allowed.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


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


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    if database_ok(connections["default"]):
        return JsonResponse({"status": "ok", "database": "ok"})
    return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
