"""The AWS Query API front door: one view per service (IAM 2010-05-08, STS 2011-06-15).

authenticate (SigV4, `iam.authn`) → parse (botocore's model, `protocol.parse_request`) →
dispatch to the service's handler table → `protocol.serialize_result`. Every failure becomes
AWS's XML error envelope with AWS's code and status; an operation of the model that iamconsole
does not implement answers InvalidAction 400, a partner-only one OptInRequired 403
(`unavailable`). Each response carries its request id in
ResponseMetadata (or the error's RequestId) and in the x-amzn-RequestId header.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from iamconsole import failures
from iamconsole.iam import ratelimit, sts, web_identity
from iamconsole.iam.authn import AuthenticationFailed, authenticate_sigv4
from iamconsole.iam.errors import IAMError

from . import iam_actions, json_protocol, organizations_actions, protocol, sts_actions, unavailable
from .protocol import QueryError

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/xml"
# Operations whose result carries a secret (an access key's secret, a session's credentials, a
# TOTP seed, a decoded authorization message's privileged details): their responses must not
# be kept by any cache.
SECRET_RESULTS = frozenset({"CreateAccessKey", "CreateVirtualMFADevice", "GetSessionToken",
                            "AssumeRole", "AssumeRoleWithWebIdentity",
                            "DecodeAuthorizationMessage"})


def _response(body: bytes, status: int, request_id: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPE)
    response["x-amzn-RequestId"] = request_id
    return response


def _error(service: str, code: str, message: str, status: int, request_id: str,
           sender_fault: bool | None = None) -> HttpResponse:
    if sender_fault is None:
        sender_fault = status < 500
    body = protocol.serialize_error(service, code, message, request_id, sender_fault)
    return _response(body, status, request_id)


def _unsupported(operation: str) -> QueryError:
    return QueryError("InvalidAction", f"The action {operation} is not supported by iamconsole.",
                      400)


def _form(request: HttpRequest) -> dict[str, list[str]]:
    """The request's parameters, decoded by the protocol (not by Django, whose limit of 1,000
    fields is too low for legitimate lists and whose charset handling is not AWS's)."""
    if request.method == "POST":
        return protocol.decode_form(request.body, request.content_type,
                                    request.content_params.get("charset"))
    return protocol.decode_form(request.META.get("QUERY_STRING", "").encode("latin-1"))


def _unsigned(request: HttpRequest) -> bool:
    """No SigV4 signature at all (neither the Authorization header nor a presigned query)."""
    return "HTTP_AUTHORIZATION" not in request.META and \
        "X-Amz-Signature" not in request.META.get("QUERY_STRING", "")


def _unsigned_action(service: str, request: HttpRequest) -> str | None:
    """The action of an unsigned request AWS answers unsigned (AssumeRoleWithWebIdentity), or
    None (then the request must be signed, and authentication says what is wrong)."""
    if service != "sts" or "HTTP_AUTHORIZATION" in request.META or \
            "X-Amz-Signature" in request.META.get("QUERY_STRING", ""):
        return None
    try:
        named = _form(request).get("Action")
    except QueryError:
        return None
    named = named[-1] if isinstance(named, list) and named else named
    return named if named in sts_actions.UNSIGNED else None


def _dispatch(service: str, actions: dict[str, Callable], request: HttpRequest,
              request_id: str) -> tuple[str, bytes]:
    if _unsigned_action(service, request):
        # The token in the request is the proof (boto3 and the CLI send it unsigned); the
        # handler gets a caller with no permissions of its own.
        caller = web_identity.anonymous_caller(request.META.get("REMOTE_ADDR"), request_id)
        budget = ratelimit.identity(None, caller.source_ip)
    else:
        caller = authenticate_sigv4(request.META, request.body, expected_service=service,
                                    auth_method="query")
        caller.request_id = request_id
        budget = ratelimit.identity(caller, None)
    if ratelimit.hit(budget) is not None:
        raise QueryError("Throttling", "Rate exceeded", 400)
    form = _form(request)
    named = form.get("Action")
    if isinstance(named, list):  # the form's values are lists: the last one wins, as in parsing
        named = named[-1] if named else None
    refused = unavailable.refusal(service, named)
    if refused is not None:
        raise refused  # partner-only: OptInRequired, whatever the parameters
    if named in protocol.service_model(service).operation_names and named not in actions:
        raise _unsupported(named)  # before validating parameters it would ignore anyway
    operation, params = protocol.parse_request(service, form)
    handler = actions.get(operation)
    if handler is None:
        raise _unsupported(operation)
    sts.check_session_token_scope(caller, service, operation)
    result: Any = handler(caller, params)
    return operation, protocol.serialize_result(service, operation, result, request_id)


def _endpoint(service: str, actions: dict[str, Callable]) -> Callable:
    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        try:
            operation, body = _dispatch(service, actions, request, request_id)
            response = _response(body, 200, request_id)
            if operation in SECRET_RESULTS:
                response["Cache-Control"] = "no-store"
            return response
        except AuthenticationFailed as exc:
            return _error(service, exc.code, exc.message, exc.status, request_id)
        except QueryError as exc:
            return _error(service, exc.code, exc.message, exc.status, request_id,
                          exc.sender_fault)
        except IAMError as exc:
            return _error(service, exc.code, exc.message, exc.status, request_id,
                          exc.sender_fault)
        except RequestDataTooBig:
            return _error(service, "RequestEntityTooLarge",
                          "The request body is larger than this server accepts.", 413,
                          request_id)
        except Exception as exc:
            dependency = failures.unavailable_dependency(exc)
            if dependency is not None:
                logger.warning("Query API %s request %s: the %s is unavailable", service,
                               request_id, dependency)
                response = _error(service, "ServiceUnavailable",
                                  failures.unavailable_message(dependency), 503, request_id)
                response["Retry-After"] = failures.RETRY_AFTER
                return response
            if failures.is_client_error(exc):
                return _error(service, "InvalidQueryParameter",
                              failures.client_error_message(exc), 400, request_id)
            logger.exception("Query API %s request %s failed", service, request_id)
            return _error(service, "ServiceFailure" if service == "iam" else "InternalFailure",
                          "The request processing has failed because of an unknown error.",
                          500, request_id, sender_fault=False)

    view.__name__ = f"{service}_query_api"
    return view


iam_endpoint = _endpoint("iam", iam_actions.ACTIONS)
sts_endpoint = _endpoint("sts", sts_actions.ACTIONS)


# --------------------------------------------------------------------------- JSON 1.1 services


# JSON services name the authentication failures differently (all HTTP 400).
JSON_AUTH_CODES = {"InvalidClientTokenId": "UnrecognizedClientException",
                   "SignatureDoesNotMatch": "InvalidSignatureException",
                   "ExpiredToken": "ExpiredTokenException",
                   "MissingAuthenticationToken": "MissingAuthenticationTokenException",
                   "IncompleteSignature": "IncompleteSignatureException"}


def _json_response(body: bytes, status: int, request_id: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=json_protocol.CONTENT_TYPE)
    response["x-amzn-RequestId"] = request_id
    return response


def _json_error(code: str, message: str, status: int, request_id: str,
                reason: str = "") -> HttpResponse:
    return _json_response(json_protocol.serialize_error(code, message, reason), status,
                          request_id)


def _json_dispatch(service: str, actions: dict[str, Callable], request: HttpRequest) -> bytes:
    caller = authenticate_sigv4(request.META, request.body, expected_service=service,
                                auth_method="query")
    if ratelimit.hit(ratelimit.identity(caller, None)) is not None:
        raise json_protocol.JsonError("TooManyRequestsException", "Rate exceeded", 400)
    operation, params = json_protocol.parse_request(
        service, request.headers.get("X-Amz-Target"), request.body)
    handler = actions.get(operation)
    if handler is None:
        raise json_protocol.JsonError(
            "UnknownOperationException",
            f"The operation {operation} is not supported by iamconsole.", 400)
    sts.check_session_token_scope(caller, service, operation)
    return json_protocol.serialize_result(service, operation, handler(caller, params))


def _json_endpoint(service: str, actions: dict[str, Callable]) -> Callable:
    """A JSON 1.1 service (AWS Organizations): POST, X-Amz-Target, JSON in and out; errors
    as {"__type", "message"[, "Reason"]} with their status, as botocore reads them."""

    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        try:
            if request.method != "POST":
                raise json_protocol.JsonError("UnknownOperationException",
                                              "JSON 1.1 requests are POSTed.", 400)
            return _json_response(_json_dispatch(service, actions, request), 200, request_id)
        except AuthenticationFailed as exc:
            code = JSON_AUTH_CODES.get(exc.code, exc.code)
            return _json_error(code, exc.message, 400, request_id)
        except json_protocol.JsonError as exc:
            return _json_error(exc.code, exc.message, exc.status, request_id, exc.reason)
        except IAMError as exc:
            code = "AccessDeniedException" if exc.code == "AccessDenied" else exc.code
            status = 400 if exc.code == "AccessDenied" else exc.status
            return _json_error(code, exc.message, status, request_id,
                               getattr(exc, "reason", ""))
        except RequestDataTooBig:
            return _json_error("RequestEntityTooLarge",
                               "The request body is larger than this server accepts.", 413,
                               request_id)
        except Exception as exc:
            dependency = failures.unavailable_dependency(exc)
            if dependency is not None:
                logger.warning("JSON API %s request %s: the %s is unavailable", service,
                               request_id, dependency)
                response = _json_error("ServiceUnavailableException",
                                       failures.unavailable_message(dependency), 503,
                                       request_id)
                response["Retry-After"] = failures.RETRY_AFTER
                return response
            logger.exception("JSON API %s request %s failed", service, request_id)
            return _json_error("ServiceException",
                               "The request processing has failed because of an unknown error.",
                               500, request_id)

    view.__name__ = f"{service}_json_api"
    return view


organizations_endpoint = _json_endpoint("organizations", organizations_actions.ACTIONS)
