"""What every REST view shares: the Caller from authentication, input validation, the kind."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.views import APIView

from iamconsole.iam import kinds
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller


class IAMView(APIView):
    """A thin REST endpoint: validate the shape, call one domain operation with the Caller.

    `iam_actions` maps the HTTP method to the IAM action AWS uses for the same operation; the
    domain operation checks it with the policy engine (and the schema documents it)."""

    iam_actions: dict[str, str] = {}

    @property
    def caller(self) -> Caller:
        return self.request.auth


def valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    if hasattr(data, "getlist"):  # query parameters
        # DRF reads an empty form value of an optional field as "absent"; the schema says
        # minLength 1, so `?tag=` is a blank value, refused like any other.
        blank = {name: ["This field may not be blank."]
                 for name, field in serializer_class().fields.items()
                 if isinstance(field, serializers.CharField | serializers.ChoiceField)
                 and not field.allow_blank and "" in data.getlist(name)}
        if blank:
            raise serializers.ValidationError(blank)
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def policy_arn(ref: str, view: IAMView | None = None, *, as_named: bool = False) -> str:
    """A managed policy named in a URL by its ARN or its PolicyId (ANPA…): its ARN. An unknown
    PolicyId is authorized first for the view's action (services.policy_arn_by_id); with
    `as_named` it is the ARN a policy named so would have (detaching authorizes the identity)."""
    if ref.startswith("arn:"):
        return ref
    if view is None:
        return iam.policy_arn_by_id(ref, or_named=as_named)
    return iam.policy_arn_by_id(ref, view.caller, view.iam_actions.get(view.request.method),
                                or_named=as_named)


class KindView(IAMView):
    """A sub-resource shared by users, groups and roles (`as_view(kind="user")`)."""

    # Its `iam_actions` are templates of the kind's noun ("iam:Tag{noun}").
    kind = "user"

    @property
    def entity_kind(self) -> kinds.Kind:
        return kinds.get(self.kind)

    def op(self, template: str):
        """The kind's domain operation `template` names ("Tag{noun}": services.tag_user)."""
        return self.entity_kind.op(template)
