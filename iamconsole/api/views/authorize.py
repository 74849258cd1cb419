"""Custom services and the decision API on the REST API.

- `/custom-services/` (GET list, POST register), `/custom-services/<prefix>/` (GET, PUT, DELETE):
  an account's own services, their actions, resource types and condition keys.
- `POST /authorize/`: up to 100 checks, each for a principal named by ARN or by the end
  caller's SigV4-signed request, answered with the decision and the principal.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from iamconsole.iam import custom_services, decisions

from ..authentication import ConsoleSessionAuthentication, SigV4Authentication, kept_sigv4
from .base import IAMView, valid


class ActionSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=128)
    access_level = serializers.ChoiceField(custom_services.ACCESS_LEVELS, required=False)
    resource_types = serializers.ListField(child=serializers.CharField(max_length=64),
                                           required=False, max_length=50)
    condition_keys = serializers.ListField(child=serializers.CharField(max_length=256),
                                           required=False, max_length=50)


class ResourceTypeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    arn = serializers.CharField(max_length=2048)


class ConditionKeySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=256)
    type = serializers.ChoiceField(custom_services.KEY_TYPES, required=False)


class CustomServiceSerializer(serializers.Serializer):
    prefix = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=256, required=False, allow_blank=True)
    actions = ActionSerializer(many=True, max_length=custom_services.MAX_ACTIONS)
    resource_types = ResourceTypeSerializer(many=True, required=False, max_length=100)
    condition_keys = ConditionKeySerializer(many=True, required=False, max_length=100)


class CustomServiceOutSerializer(CustomServiceSerializer):
    arn = serializers.CharField()


class CustomServiceUpdateSerializer(CustomServiceSerializer):
    prefix = None


def _put(view: IAMView, prefix: str, data: dict, *, create_only: bool):
    service = custom_services.put_custom_service(
        view.caller, prefix, actions=[dict(a) for a in data["actions"]],
        resource_types=[dict(t) for t in data.get("resource_types", [])],
        condition_keys=[dict(k) for k in data.get("condition_keys", [])],
        name=data.get("name", ""), create_only=create_only)
    return custom_services.describe(service)


class CustomServicesView(IAMView):
    iam_actions = {"GET": "iamconsole:ListCustomServices",
                   "POST": "iamconsole:PutCustomService"}

    @extend_schema(responses=CustomServiceOutSerializer(many=True),
                   summary="List the account's custom services")
    def get(self, request):
        return Response([custom_services.describe(service) for service in
                         custom_services.list_custom_services(self.caller)])

    @extend_schema(request=CustomServiceSerializer, responses={201: CustomServiceOutSerializer},
                   summary="Register a custom service")
    def post(self, request):
        data = valid(CustomServiceSerializer, request.data)
        return Response(_put(self, data["prefix"], data, create_only=True), status=201)


class CustomServiceView(IAMView):
    iam_actions = {"GET": "iamconsole:GetCustomService", "PUT": "iamconsole:PutCustomService",
                   "DELETE": "iamconsole:DeleteCustomService"}

    @extend_schema(responses=CustomServiceOutSerializer, summary="Describe a custom service")
    def get(self, request, prefix):
        return Response(custom_services.describe(
            custom_services.get_custom_service(self.caller, prefix)))

    @extend_schema(request=CustomServiceUpdateSerializer, responses=CustomServiceOutSerializer,
                   summary="Replace a custom service's actions, resource types and keys")
    def put(self, request, prefix):
        data = valid(CustomServiceUpdateSerializer, request.data)
        return Response(_put(self, prefix, data, create_only=False))

    @extend_schema(responses={204: None}, summary="Delete a custom service")
    def delete(self, request, prefix):
        custom_services.delete_custom_service(self.caller, prefix)
        return Response(status=204)


class SignedRequestSerializer(serializers.Serializer):
    method = serializers.CharField(max_length=16)
    path = serializers.CharField(max_length=8192)
    query = serializers.CharField(max_length=16384, required=False, allow_blank=True)
    headers = serializers.DictField(child=serializers.CharField(max_length=8192,
                                                                allow_blank=True))
    payload_hash = serializers.RegexField(r"^([0-9a-fA-F]{64}|UNSIGNED-PAYLOAD)$",
                                          required=False)
    source_ip = serializers.IPAddressField(required=False)
    secure_transport = serializers.BooleanField(required=False)


class CheckSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=256)
    resource = serializers.CharField(max_length=2048, required=False, default="*")
    principal_arn = serializers.CharField(max_length=2048, required=False)
    request = SignedRequestSerializer(required=False)
    context = serializers.DictField(required=False)
    explain = serializers.BooleanField(required=False, default=False)


class AuthorizeSerializer(serializers.Serializer):
    checks = CheckSerializer(many=True, min_length=1, max_length=decisions.MAX_CHECKS)


class DecisionSerializer(serializers.Serializer):
    """One check's answer (iam/decisions.py): `decision` is allowed, explicitDeny, implicitDeny
    or authenticationFailed (then `error` says why)."""

    allowed = serializers.BooleanField()
    decision = serializers.CharField()
    reason = serializers.CharField(required=False)
    principal = serializers.DictField(required=False)
    error = serializers.DictField(required=False)
    matched_statements = serializers.ListField(child=serializers.DictField(), required=False)
    missing_context_values = serializers.ListField(child=serializers.CharField(),
                                                   required=False)


class AuthorizeResultsSerializer(serializers.Serializer):
    results = DecisionSerializer(many=True)


# The fast path of the body's validation (`plain_checks`): what AuthorizeSerializer would accept
# unchanged. Anything else goes through the serializer, which answers the 400s.
_PAYLOAD_HASH = re.compile(r"([0-9a-fA-F]{64}|UNSIGNED-PAYLOAD)")
_REQUEST_TEXT = {"method": 16, "path": 8192, "query": 16384}


def _text(value: Any, max_length: int, *, blank: bool = False) -> bool:
    """A value a CharField keeps as it is: a string, not blank (unless `blank`), no longer than
    `max_length`, without surrounding whitespace, ASCII (so no surrogates) and no NUL."""
    return (type(value) is str and len(value) <= max_length and (blank or value != "")
            and value.isascii() and value.strip() == value and "\x00" not in value)


def _plain_request(described: Any) -> dict | None:
    if type(described) is not dict:
        return None
    out: dict[str, Any] = {}
    for name, max_length in _REQUEST_TEXT.items():
        if name in described:
            if not _text(described[name], max_length, blank=name == "query"):
                return None
            out[name] = described[name]
        elif name != "query":
            return None
    headers = described.get("headers")
    if type(headers) is not dict or not all(
            type(k) is str and _text(v, 8192, blank=True) for k, v in headers.items()):
        return None
    out["headers"] = dict(headers)
    if "payload_hash" in described:
        payload = described["payload_hash"]
        if not _text(payload, 1 << 16) or not _PAYLOAD_HASH.fullmatch(payload):
            return None
        out["payload_hash"] = payload
    if "source_ip" in described:
        address = described["source_ip"]
        if not _text(address, 64) or ":" in address:  # IPv6 is normalized: the serializer's
            return None
        try:
            ipaddress.IPv4Address(address)
        except ValueError:
            return None
        out["source_ip"] = address
    if "secure_transport" in described:
        if type(described["secure_transport"]) is not bool:
            return None
        out["secure_transport"] = described["secure_transport"]
    return out


def plain_checks(data: Any) -> list[dict] | None:
    """The checks of a body AuthorizeSerializer would accept as they are, validated as it would
    (the same values, defaults and dropped unknown keys); None for any other body, which the
    serializer then validates (and refuses with its 400). Validating a one-check call with the
    serializer costs about as much as deciding it."""
    if type(data) is not dict:
        return None
    checks = data.get("checks")
    if type(checks) is not list or not 1 <= len(checks) <= decisions.MAX_CHECKS:
        return None
    out = []
    for check in checks:
        if type(check) is not dict or not _text(check.get("action"), 256):
            return None
        plain: dict[str, Any] = {"action": check["action"], "resource": "*", "explain": False}
        if "resource" in check:
            if not _text(check["resource"], 2048):
                return None
            plain["resource"] = check["resource"]
        if "principal_arn" in check:
            if not _text(check["principal_arn"], 2048):
                return None
            plain["principal_arn"] = check["principal_arn"]
        if "request" in check:
            described = _plain_request(check["request"])
            if described is None:
                return None
            plain["request"] = described
        if "context" in check:
            context = check["context"]
            if type(context) is not dict or not all(type(k) is str for k in context):
                return None
            plain["context"] = dict(context)
        if "explain" in check:
            if type(check["explain"]) is not bool:
                return None
            plain["explain"] = check["explain"]
        out.append(plain)
    return out


class _JSONOnly(DefaultContentNegotiation):
    """The decision API answers JSON whatever the Accept header (no browsable page to choose)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class AuthorizeView(IAMView):
    """Services call it for every request they serve: not rate limited per caller (the
    per-request counter write would double its cost); it is authenticated and authorized. The
    service's key is kept for a second like its principals (authentication.kept_sigv4)."""

    iam_actions = {"POST": "iamconsole:Authorize"}
    throttle_classes: list = []
    authentication_classes = [SigV4Authentication, ConsoleSessionAuthentication]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _JSONOnly

    def get_authenticators(self):
        return [kept_sigv4(), ConsoleSessionAuthentication()]

    @extend_schema(request=AuthorizeSerializer, responses=AuthorizeResultsSerializer,
                   summary="Decide checks for a custom service")
    def post(self, request):
        given = plain_checks(request.data)
        if given is None:
            given = valid(AuthorizeSerializer, request.data)["checks"]
        checks = [decisions.Check(
            action=c["action"], resource=c.get("resource") or "*",
            principal_arn=c.get("principal_arn"),
            request=dict(c["request"]) if c.get("request") else None,
            context=c.get("context"), explain=c.get("explain", False))
            for c in given]
        return Response({"results": decisions.authorize(self.caller, checks)})
