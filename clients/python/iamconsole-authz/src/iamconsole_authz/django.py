"""Django and Django REST framework: `@requires(action, resource=...)` and `IAMPermission`.

Settings: IAMCONSOLE_AUTHZ = {"endpoint": ..., "access_key_id": ..., "secret_access_key": ...}
(or set `iamconsole_authz.django.client` to an AuthzClient).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from .client import AuthzClient, Decision, describe_wsgi_request

client: AuthzClient | None = None


def get_client() -> AuthzClient:
    global client
    if client is None:
        from django.conf import settings

        conf = dict(settings.IAMCONSOLE_AUTHZ)
        client = AuthzClient(conf.pop("endpoint"), conf.pop("access_key_id"),
                             conf.pop("secret_access_key"), **conf)
    return client


def _value(spec: Any, request, *args, **kwargs) -> Any:
    return spec(request, *args, **kwargs) if callable(spec) else spec


def decide(request, action: str, resource: Any = "*", context: Any = None,
           *args, **kwargs) -> Decision:
    """The decision for a Django request (its SigV4 signature verified by iamconsole)."""
    described = describe_wsgi_request(request.META, request.body)
    if described is None:
        return Decision(allowed=False, decision="authenticationFailed",
                        error={"code": "MissingAuthenticationToken",
                               "message": "Request is missing Authentication Token"})
    decision = get_client().check(action, _value(resource, request, *args, **kwargs),
                                  request=described,
                                  context=_value(context, request, *args, **kwargs))
    request.iam_principal = decision.principal if decision.allowed else None
    return decision


def requires(action: str, resource: Any = "*", context: Any = None) -> Callable:
    """View decorator: 403 JSON unless iamconsole allows `action` on `resource` (a string or
    `resource(request, *args, **kwargs)`); the principal is `request.iam_principal`."""

    def wrap(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            from django.http import HttpResponse

            decision = decide(request, action, resource, context, *args, **kwargs)
            if not decision.allowed:
                body = {"code": (decision.error or {}).get("code", "AccessDenied"),
                        "reason": decision.reason}
                return HttpResponse(json.dumps(body), status=403,
                                    content_type="application/json")
            return view(request, *args, **kwargs)

        return wrapper

    return wrap


class IAMPermission:
    """DRF permission class: the view names `iam_action` (or `iam_actions` by method) and
    `iam_resource` (a string or `iam_resource(request, view)`)."""

    message = "Access denied"

    def has_permission(self, request, view) -> bool:
        action = getattr(view, "iam_actions", {}).get(request.method) or getattr(
            view, "iam_action", None)
        if action is None:
            return False
        resource = getattr(view, "iam_resource", "*")
        if callable(resource):
            resource = resource(request, view)
        context = getattr(view, "iam_context", None)
        if callable(context):
            context = context(request, view)
        return decide(request._request, action, resource, context).allowed

    def has_object_permission(self, request, view, obj) -> bool:
        return True
