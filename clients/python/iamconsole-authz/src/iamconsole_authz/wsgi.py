"""WSGI middleware: every request is SigV4-authenticated and authorized through iamconsole."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from .client import AuthzClient, Decision, describe_wsgi_request

# resolver(environ) -> (action, resource) or (action, resource, context), None: no such route
Resolver = Callable[[dict], tuple | None]
MAX_BODY = 10 * 1024 * 1024


def read_body(environ: dict) -> bytes:
    """The body, read once and put back for the application."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(min(length, MAX_BODY)) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _answer(start_response, status: str, data: dict) -> list[bytes]:
    body = json.dumps(data).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
    return [body]


def deny_body(decision: Decision) -> dict:
    if decision.error is not None:
        return {"code": decision.error.get("code", "AccessDenied"),
                "message": decision.error.get("message", "")}
    return {"code": "AccessDenied", "message": "Access denied", "reason": decision.reason}


class AuthzMiddleware:
    """Wrap a WSGI app: unsigned requests get 401; the resolver names the action and resource
    of a request; iamconsole verifies the signature (service name = the custom prefix) and
    decides. Allowed: `environ["iamconsole.principal"]` (ARN, account, tags, MFA, session) and
    `environ["iamconsole.decision"]`; denied or unreachable iamconsole: 403."""

    def __init__(self, app, client: AuthzClient, resolver: Resolver) -> None:
        self.app, self.client, self.resolver = app, client, resolver

    def __call__(self, environ: dict, start_response) -> Any:
        body = read_body(environ)
        described = describe_wsgi_request(environ, body)
        if described is None:
            return _answer(start_response, "401 Unauthorized",
                           {"code": "MissingAuthenticationToken",
                            "message": "Request is missing Authentication Token"})
        target = self.resolver(environ)
        if target is None:
            return _answer(start_response, "404 Not Found", {"code": "NotFound"})
        action, resource, *rest = target
        decision = self.client.check(action, resource, request=described,
                                     context=rest[0] if rest else None)
        if not decision.allowed:
            status = "403 Forbidden"
            if decision.decision == "authenticationFailed":
                status = "403 Forbidden" if decision.error else status
            return _answer(start_response, status, deny_body(decision))
        environ["iamconsole.principal"] = decision.principal
        environ["iamconsole.decision"] = decision
        return self.app(environ, start_response)
