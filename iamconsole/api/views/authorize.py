"""Custom services and the decision API on the REST API.

- `/custom-services/` (GET list, POST register), `/custom-services/<prefix>/` (GET, PUT, DELETE):
  an account's own services, their actions, resource types and condition keys.
- `POST /authorize/`: up to 100 checks, each for a principal named by ARN or by the end
  caller's SigV4-signed request, answered with the decision and the principal.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from iamconsole.iam import custom_services, decisions

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


class AuthorizeView(IAMView):
    """Services call it for every request they serve: not rate limited per caller (the
    per-request counter write would double its cost); it is authenticated and authorized."""

    iam_actions = {"POST": "iamconsole:Authorize"}
    throttle_classes: list = []

    @extend_schema(request=AuthorizeSerializer, responses=AuthorizeResultsSerializer,
                   summary="Decide checks for a custom service")
    def post(self, request):
        data = valid(AuthorizeSerializer, request.data)
        checks = [decisions.Check(
            action=c["action"], resource=c.get("resource") or "*",
            principal_arn=c.get("principal_arn"),
            request=dict(c["request"]) if c.get("request") else None,
            context=c.get("context"), explain=c.get("explain", False))
            for c in data["checks"]]
        return Response({"results": decisions.authorize(self.caller, checks)})
