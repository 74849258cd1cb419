"""OpenAPI generation: each operation documents the IAM action that governs it (`x-iam-action`
and a line in its description), as declared on the view in `iam_actions`."""

from __future__ import annotations

from functools import cache

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from .serializers import ErrorSerializer


class IAMAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        action = iam_action(self.view, method)
        if action:
            operation["x-iam-action"] = action
            note = f"IAM action: `{action}`."
            operation["description"] = (
                f"{operation['description']}\n\n{note}" if operation.get("description") else note
            )
        return operation

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        responses = self.get_response_serializers()
        if self.method == "GET" and getattr(responses, "__name__", "").startswith("Paginated"):
            operation_id = operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        error = self._get_response_for_code(ErrorSerializer, "400")
        for code in ("400", "403", "404", "409", "429", "503"):
            responses.setdefault(code, error)
        # 503 ServiceUnavailable: the database or the cache cannot be reached (with
        # Retry-After). 414: a request line longer than the front server accepts (gunicorn's
        # limit_request_line), answered before the application sees the request.
        responses.setdefault("414", {"description": "URI too long: the request line exceeds "
                                                    "the server's limit."})
        return responses


def iam_action(view, method: str) -> str | None:
    actions = getattr(view, "iam_actions", {}) or {}
    action = actions.get(method.upper())
    if action and "{noun}" in action:
        action = action.format(noun=view.entity_kind.noun)
    return action


@cache
def paginated(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of a page: {count, next, previous, results: [serializer_class]}."""
    name = serializer_class.__name__.removesuffix("Serializer")
    return type(
        f"Paginated{name}List",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


class SigV4Scheme(OpenApiAuthenticationExtension):
    target_class = "iamconsole.api.authentication.SigV4Authentication"
    name = "sigv4"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "AWS Signature Version 4 (`AWS4-HMAC-SHA256 Credential=AKIA…/<date>/<region>/"
                "iam/aws4_request, SignedHeaders=…, Signature=…`) with an access key of an IAM "
                "user, or STS temporary credentials plus X-Amz-Security-Token. Service name in "
                "the scope: `iam` (or `execute-api`); any region. Requests more than 15 minutes "
                "off the server clock are rejected."
            ),
        }


class ConsoleSessionScheme(OpenApiAuthenticationExtension):
    target_class = "iamconsole.api.authentication.ConsoleSessionAuthentication"
    name = "consoleSession"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "The console session cookie; unsafe methods need X-CSRFToken."}
