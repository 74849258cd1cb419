"""What every REST view shares: the Caller from authentication, input validation, kind specs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from rest_framework import serializers
from rest_framework.views import APIView

from iamconsole.iam import identifiers as ids
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import NoSuchEntity
from iamconsole.iam.models import ManagedPolicy


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


def filter_by_tag(queryset: QuerySet, tag: str | None) -> QuerySet:
    """`?tag=key` (any value) or `?tag=key=value` (the first "=" separates)."""
    if not tag:
        return queryset
    key, sep, value = tag.partition("=")
    queryset = queryset.filter(tags__has_key=key)
    if sep:
        queryset = queryset.annotate(
            _tag_value=Cast(KeyTextTransform(key, "tags"), output_field=CharField())
        ).filter(_tag_value=value)
    return queryset


def policy_arn(ref: str, view: IAMView | None = None, *, as_named: bool = False) -> str:
    """A managed policy named in a URL by its ARN or its PolicyId (ANPA…). An unknown PolicyId
    is authorized first for the view's action (on the ARN a policy named so would have, as the
    domain authorizes a missing name): a caller without the right gets 403, found or not.
    With `as_named`, an unknown PolicyId is returned as the ARN a policy named so would have,
    for a domain operation that authorizes its own resource before answering NoSuchEntity
    (detaching: the resource is the user, group or role, not the policy)."""
    if ref.startswith("arn:"):
        return ref
    arn = next((p.arn for p in ManagedPolicy.objects.filter(policy_id=ref)), None)
    if arn is None and as_named:
        return ids.arn(f"policy/{ref}")
    if arn is None:
        if view is not None:
            action = view.iam_actions.get(view.request.method)
            iam.authorize_missing(view.caller, action, ids.arn(f"policy/{ref}"))
        raise NoSuchEntity(f"Policy {ref} does not exist or is not attachable.")
    return arn


@dataclass(frozen=True)
class KindSpec:
    """The per-identity-kind domain operations behind the shared sub-resources."""

    key: str  # user | group | role
    noun: str  # User | Group | Role
    find: Any
    get: Any = None
    tag: Any = None
    untag: Any = None
    list_tags: Any = None
    put_boundary: Any = None
    delete_boundary: Any = None


KINDS = {
    "user": KindSpec("user", "User", iam.find_user, iam.get_user, iam.tag_user, iam.untag_user,
                     iam.list_user_tags, iam.put_user_permissions_boundary,
                     iam.delete_user_permissions_boundary),
    "group": KindSpec("group", "Group", iam.find_group),
    "role": KindSpec("role", "Role", iam.find_role, iam.get_role, iam.tag_role, iam.untag_role,
                     iam.list_role_tags, iam.put_role_permissions_boundary,
                     iam.delete_role_permissions_boundary),
}


class KindView(IAMView):
    """A sub-resource shared by users, groups and roles (`as_view(kind="user")`)."""

    kind = "user"

    @property
    def kind_spec(self) -> KindSpec:
        return KINDS[self.kind]
