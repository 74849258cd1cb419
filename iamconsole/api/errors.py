"""Every REST API error as JSON `{"code": <AWS error code>, "message": …}` with its HTTP status.

Domain errors (`IAMError`) keep their AWS code and status; AccessDenied also names the action and
the resource; DRF's own errors (validation, parsing, throttling, unknown URL, CSRF) are mapped to
the same shape. A field-level validation error lists the fields in `"fields"`. Django's client
errors (SuspiciousOperation, BadRequest) are 400 BadRequest; an unreachable database or cache is
503 ServiceUnavailable (`iamconsole.failures`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from iamconsole import failures
from iamconsole.iam.authn import AuthenticationFailed
from iamconsole.iam.errors import AccessDenied, IAMError


class APIError(exceptions.APIException):
    """An error the API itself raises with an explicit AWS-style code."""

    def __init__(self, code: str, message: str, status_code: int = 400, **extra: Any) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.message = message
        self.extra = extra


class PreconditionFailed(APIError):
    def __init__(self, message: str) -> None:
        super().__init__("PreconditionFailed", message, status.HTTP_412_PRECONDITION_FAILED)


class CredentialsRejected(exceptions.APIException):
    """A SigV4 authentication failure (keeps AWS's code and status)."""

    def __init__(self, failure: AuthenticationFailed) -> None:
        super().__init__(detail=failure.message, code=failure.code)
        self.status_code = failure.status
        self.failure = failure


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [str(item) for item in detail]
        return [_flatten(item) for item in detail]
    return str(detail)


def _first_message(fields: Any) -> str:
    while isinstance(fields, dict | list) and fields:
        if isinstance(fields, dict):
            key, fields = next(iter(fields.items()))
            if key != "non_field_errors" and isinstance(fields, list) and fields and \
                    isinstance(fields[0], str):
                return f"{key}: {fields[0]}"
        else:
            fields = fields[0]
    return str(fields) if fields else "Invalid input."


def iam_error_body(exc: IAMError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if isinstance(exc, AccessDenied):
        body["action"] = exc.action
        body["resource"] = exc.resource
        if exc.encoded_message:
            body["encodedAuthorizationMessage"] = exc.encoded_message
    if exc.field:
        body["field"] = exc.field
    if exc.findings:
        body["findings"] = [
            {"severity": f.severity, "code": f.code, "path": f.path, "message": f.message,
             "line": f.line, "column": f.column}
            for f in exc.findings
        ]
    return body


def _body_and_status(exc: Exception) -> tuple[dict[str, Any], int] | None:
    if isinstance(exc, IAMError):
        return iam_error_body(exc), exc.status
    if isinstance(exc, CredentialsRejected):
        return exc.failure.as_dict(), exc.status_code
    if isinstance(exc, APIError):
        return {"code": exc.error_code, "message": exc.message, **exc.extra}, exc.status_code
    if isinstance(exc, Http404 | exceptions.NotFound):
        return {"code": "NoSuchEntity", "message": "The requested resource does not exist."}, 404
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        if not isinstance(fields, dict):
            fields = {"non_field_errors": fields if isinstance(fields, list) else [fields]}
        return {"code": "ValidationError", "message": _first_message(fields),
                "fields": fields}, 400
    if isinstance(exc, exceptions.ParseError):
        return {"code": "MalformedInput", "message": str(exc.detail)}, 400
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return {"code": "MissingAuthenticationToken",
                "message": "Request is missing Authentication Token: sign it with AWS "
                           "Signature Version 4 or send a console session cookie."}, 403
    if isinstance(exc, exceptions.PermissionDenied | DjangoPermissionDenied):
        detail = str(getattr(exc, "detail", "") or exc)
        code = "InvalidCsrfToken" if detail.startswith("CSRF Failed") else "AccessDenied"
        return {"code": code, "message": detail or "Access denied."}, 403
    if isinstance(exc, exceptions.Throttled):
        return {"code": "Throttling", "message": "Rate exceeded."}, 429
    if isinstance(exc, exceptions.MethodNotAllowed):
        return {"code": "MethodNotAllowed", "message": str(exc.detail)}, 405
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return {"code": "UnsupportedMediaType", "message": str(exc.detail)}, 415
    if isinstance(exc, exceptions.NotAcceptable):
        return {"code": "NotAcceptable", "message": str(exc.detail)}, 406
    dependency = failures.unavailable_dependency(exc)
    if dependency is not None:
        return {"code": "ServiceUnavailable",
                "message": failures.unavailable_message(dependency)}, 503
    if failures.is_client_error(exc):
        return {"code": "BadRequest", "message": failures.client_error_message(exc)}, 400
    if isinstance(exc, exceptions.APIException):
        return {"code": str(exc.get_codes()) if isinstance(exc.get_codes(), str) else "Error",
                "message": str(exc.detail)}, exc.status_code
    return None


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]."""
    mapped = _body_and_status(exc)
    if mapped is None:
        return None  # a bug: Django's 500 handling (and logging) takes over
    body, status_code = mapped
    headers = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    if status_code == 503:
        headers["Retry-After"] = failures.RETRY_AFTER
    from rest_framework.views import set_rollback  # not at import: DRF settings import us

    set_rollback()
    return Response(body, status=status_code, headers=headers)
