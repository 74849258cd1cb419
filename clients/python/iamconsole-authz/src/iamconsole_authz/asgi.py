"""ASGI middleware: the same as the WSGI one, for HTTP scopes (the call to iamconsole runs in
a thread, so the event loop never waits on it)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from .client import AuthzClient, describe_wsgi_request
from .wsgi import deny_body


def _environ(scope: dict) -> dict:
    """Enough of a WSGI environ for describe_wsgi_request."""
    environ = {"REQUEST_METHOD": scope["method"],
               "RAW_URI": scope.get("raw_path", scope["path"].encode()).decode("latin-1"),
               "PATH_INFO": scope["path"], "SCRIPT_NAME": scope.get("root_path", ""),
               "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
               "wsgi.url_scheme": scope.get("scheme", "http")}
    if scope.get("client"):
        environ["REMOTE_ADDR"] = scope["client"][0]
    for name, value in scope.get("headers", []):
        key = name.decode("latin-1").upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value.decode("latin-1")
        else:
            environ[f"HTTP_{key}"] = value.decode("latin-1")
    return environ


class ASGIAuthzMiddleware:
    def __init__(self, app, client: AuthzClient, resolver: Callable[[dict], tuple | None]):
        self.app, self.client, self.resolver = app, client, resolver

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        environ = _environ(scope)
        described = describe_wsgi_request(environ, body)
        target = self.resolver(environ) if described is not None else None
        if described is None or target is None:
            status = 401 if described is None else 404
            return await _json(send, status, {"code": "MissingAuthenticationToken"
                                              if described is None else "NotFound"})
        action, resource, *rest = target
        decision = await asyncio.to_thread(self.client.check, action, resource,
                                           request=described,
                                           context=rest[0] if rest else None)
        if not decision.allowed:
            return await _json(send, 403, deny_body(decision))
        scope = {**scope, "iamconsole.principal": decision.principal}
        sent = False

        async def replay():
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return await self.app(scope, replay, send)


async def _json(send, status: int, data: dict) -> None:
    body = json.dumps(data).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
