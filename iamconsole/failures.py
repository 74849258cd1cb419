"""Requests that fail for a reason other than a bug, answered in the shape of the door they
came in through: JSON `{"code", "message"}` under /api/, AWS's XML error envelope under /aws/,
the styled error page elsewhere (the console, sign-in, the simulator).

* A client error (Django's SuspiciousOperation and BadRequest family, an unparsable multipart
  body, a NUL character, which PostgreSQL cannot store, in the path, the query string or a
  form) is a 400, never a 500.
* A dependency that does not answer (the database, the Redis cache) is a 503 that names it,
  with `Retry-After`: ServiceUnavailable on the Query API, JSON on the REST API, a page in the
  console. Sign-in needs the lockout counters, so it fails closed: 503, nobody signed in.

`FailuresMiddleware` (first in MIDDLEWARE) rejects NUL characters before anything reads the
request, and answers the exceptions a view raises; `handler400` and `handler500` (urls.py)
answer those raised elsewhere (another middleware loading the session, Django parsing the
body). Error pages are rendered without the request: they must not need the session, the
user or the database that may be down.
"""

from __future__ import annotations

import logging
import sys
import uuid

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.views.defaults import page_not_found

logger = logging.getLogger(__name__)

DATABASE = "database"
CACHE = "cache"
RETRY_AFTER = "5"
NUL_MESSAGE = "The request contains a NUL character (%00), which is not allowed."


def unavailable_dependency(exc: BaseException | None) -> str | None:
    """"database" or "cache" when `exc` says that dependency cannot be reached, else None."""
    try:
        import redis.exceptions as redis_errors
    except ImportError:  # pragma: no cover - redis is a requirement
        redis_errors = None
    while exc is not None:
        if redis_errors is not None and isinstance(
            exc, redis_errors.ConnectionError | redis_errors.TimeoutError
        ):
            return CACHE
        if isinstance(exc, OperationalError | InterfaceError):
            return DATABASE
        exc = exc.__cause__ or exc.__context__
    return None


def is_client_error(exc: BaseException) -> bool:
    return isinstance(exc, SuspiciousOperation | BadRequest | MultiPartParserError)


def client_error_message(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, MultiPartParserError):
        return f"The multipart request body cannot be parsed: {text}"
    return text or "The request is malformed."


def unavailable_message(dependency: str) -> str:
    return (f"The service is temporarily unavailable: its {dependency} cannot be reached. "
            "Try again later.")


# --------------------------------------------------------------------------- doors


def door(path: str) -> str:
    """"api" (REST and /healthz: JSON), "iam" or "sts" (Query API: XML) or "console"."""
    if path.startswith("/api/") or path == "/healthz":
        return "api"
    if path.startswith("/aws/sts"):
        return "sts"
    if path.startswith("/aws/"):
        return "iam"
    return "console"


_TITLES = {400: "Bad request", 404: "Not found", 500: "Server error",
           503: "Service unavailable"}


def error_response(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """The error `code`/`message` with `status` in the shape of the request's door."""
    where = door(request.path)
    if where == "api":
        response: HttpResponse = JsonResponse({"code": code, "message": message},
                                              status=status)
    elif where in ("iam", "sts"):
        from iamconsole.awsapi import protocol  # pure Python; imported late, as urls are

        request_id = str(uuid.uuid4())
        body = protocol.serialize_error(where, code, message, request_id, status < 500)
        response = HttpResponse(body, status=status, content_type="text/xml")
        response["x-amzn-RequestId"] = request_id
    elif request.headers.get("HX-Request") == "true":
        # htmx swaps the message into the page's flash region, as the console's other errors.
        html = loader.render_to_string("partials/error.html", {"code": code, "message": message})
        response = HttpResponse(html, status=status)
        response["HX-Retarget"] = "#flash"
        response["HX-Reswap"] = "innerHTML"
    else:
        html = loader.render_to_string("errors/http_error.html", {
            "title": _TITLES.get(status, "Error"), "status": status, "code": code,
            "message": message,
        })
        response = HttpResponse(html, status=status)
    if status == 503:
        response["Retry-After"] = RETRY_AFTER
    if status >= 500 or status == 400:
        response["Cache-Control"] = "no-store"
    return response


def unavailable_response(request: HttpRequest, dependency: str) -> HttpResponse:
    session = getattr(request, "session", None)
    if session is not None:
        # Fail closed: whatever the view put in the session before the dependency failed (a
        # sign-in halfway through) is not saved by SessionMiddleware.
        session.modified = False
    logger.warning("%s %s: the %s is unavailable", request.method, request.path, dependency)
    return error_response(request, 503, "ServiceUnavailable", unavailable_message(dependency))


def client_error_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    code = "InvalidQueryParameter" if door(request.path) in ("iam", "sts") else "BadRequest"
    return error_response(request, 400, code, client_error_message(exc))


# --------------------------------------------------------------------------- NUL characters


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query:
        return True
    if request.method == "POST" and door(request.path) == "console":
        # The console's forms (urlencoded or multipart). The Query API validates its
        # parameters against AWS's model (whose patterns exclude NUL); the REST API takes JSON
        # (DRF refuses NUL in strings).
        return any("\x00" in key or any("\x00" in value for value in values)
                   for key, values in request.POST.lists())
    return False


class FailuresMiddleware:
    """First in MIDDLEWARE: a NUL character anywhere a lookup could take it → 400; a view's
    client error → 400; a view's unreachable dependency → 503 (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            nul = _has_nul(request)
        except (SuspiciousOperation, MultiPartParserError) as exc:  # a body Django refuses
            return client_error_response(request, exc)
        if nul:
            code = "InvalidQueryParameter" if door(request.path) in ("iam", "sts") \
                else "BadRequest"
            return error_response(request, 400, code, NUL_MESSAGE)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        dependency = unavailable_dependency(exc)
        if dependency is not None:
            return unavailable_response(request, dependency)
        if is_client_error(exc):
            return client_error_response(request, exc)
        return None


# --------------------------------------------------------------------------- error handlers


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if exception is None:
        return error_response(request, 400, "BadRequest", "The request is malformed.")
    return client_error_response(request, exception)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if door(request.path) == "api":
        return error_response(request, 404, "NoSuchEntity",
                              "The requested resource does not exist.")
    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    """Django calls it inside its `except` block, so sys.exc_info() is the exception."""
    dependency = unavailable_dependency(sys.exc_info()[1])
    if dependency is not None:
        return error_response(request, 503, "ServiceUnavailable",
                              unavailable_message(dependency))
    code = "InternalError"
    if door(request.path) == "iam":
        code = "ServiceFailure"
    elif door(request.path) == "sts":
        code = "InternalFailure"
    return error_response(request, 500, code,
                          "The request processing has failed because of an unknown error.")
