"""Users, groups, roles, instance profiles and server certificates themselves: one generic
collection view (List{noun}s, Create{noun} or Upload{noun}) and one generic item view
(Get{noun}, Update{noun} where the kind has it, Delete{noun}) per kind of the registry, and
what only one kind has: a user's groups, a group's members, a role's trust policy and
instance profiles, an instance profile's role, service-linked roles.

A kind's request bodies are its serializers' fields, named as the domain operation's keyword
arguments (`CreateRoleSerializer.max_session_duration` is `create_role(max_session_duration=)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from iamconsole.iam import kinds
from iamconsole.iam import services as iam

from .. import serializers as s
from ..etags import if_match_revision, precondition, revision_etag
from ..pagination import paginate
from ..schema import paginated
from .base import IAMView, valid


@dataclass(frozen=True)
class Shapes:
    """A kind's REST shapes: its output and its Create{noun} / Update{noun} bodies."""

    output: type[serializers.Serializer]
    create: type[serializers.Serializer]
    update: type[serializers.Serializer] | None  # None: the kind has no Update{noun}
    create_verb: str = "Create"  # AWS's verb of its Create{noun} (UploadServerCertificate)

    @property
    def create_op(self) -> str:
        return self.create_verb + "{noun}"


SHAPES = {
    "user": Shapes(s.UserSerializer, s.CreateUserSerializer, s.UpdateUserSerializer),
    "group": Shapes(s.GroupSerializer, s.CreateGroupSerializer, s.UpdateGroupSerializer),
    "role": Shapes(s.RoleSerializer, s.CreateRoleSerializer, s.UpdateRoleSerializer),
    "instance_profile": Shapes(s.InstanceProfileSerializer, s.CreateInstanceProfileSerializer,
                               None),
    "server_certificate": Shapes(s.ServerCertificateSerializer,
                                 s.UploadServerCertificateSerializer,
                                 s.UpdateServerCertificateSerializer, create_verb="Upload"),
    "saml_provider": Shapes(s.SAMLProviderSerializer, s.CreateSAMLProviderSerializer,
                            s.UpdateSAMLProviderSerializer),
}


def _get_group(caller, group_name: str):
    group, _members = iam.get_group(caller, group_name)
    return group


# Get{noun} where the domain operation answers more than the entity (GetGroup: its users too).
_GET = {"group": _get_group}


def _with_etag(response: Response, obj) -> Response:
    response["ETag"] = revision_etag(obj)
    return response


def _arguments(serializer_class: type[serializers.Serializer], data: dict) -> dict[str, Any]:
    """Every field of the body as a keyword argument of the domain operation (None: absent)."""
    return {name: data.get(name) for name in serializer_class().fields}


class EntitiesView(IAMView):
    # List{noun}s and Create{noun} of `kind` (collection_view(kind) is the kind's). No
    # docstring: the schema describes an operation with its view's (IAMView's, as before).

    kind: kinds.Kind

    def get(self, request):
        f = valid(s.ListFilterSerializer, request.query_params)
        entities = self.kind.op("List{noun}s")(self.caller, path_prefix=f.get("path_prefix"))
        return paginate(self, iam.filter_by_tag(entities, f.get("tag")),
                        SHAPES[self.kind.key].output)

    def post(self, request):
        shapes = SHAPES[self.kind.key]
        arguments = _arguments(shapes.create, valid(shapes.create, request.data))
        name = arguments.pop(f"{self.kind.key}_name")
        entity = self.kind.op(shapes.create_op)(self.caller, name, **arguments)
        return _with_etag(Response(shapes.output(entity).data, status=201), entity)


class EntityView(IAMView):
    # Get{noun}, Update{noun} (If-Match) and Delete{noun} of one entity of `kind`, named in
    # the URL as `<kind>_name` (item_view(kind) is the kind's). No docstring (see above).

    kind: kinds.Kind

    def _name(self, kwargs: dict[str, str]) -> str:
        return kwargs[f"{self.kind.key}_name"]

    def _respond(self, entity) -> Response:
        return _with_etag(Response(SHAPES[self.kind.key].output(entity).data), entity)

    def get(self, request, **kwargs):
        get = _GET.get(self.kind.key) or self.kind.op("Get{noun}")
        return self._respond(get(self.caller, self._name(kwargs)))

    def patch(self, request, **kwargs):
        update = SHAPES[self.kind.key].update
        arguments = _arguments(update, valid(update, request.data))
        with precondition():
            entity = self.kind.op("Update{noun}")(self.caller, self._name(kwargs), **arguments,
                                                  revision=if_match_revision(request))
        return self._respond(entity)

    def delete(self, request, **kwargs):
        self.kind.op("Delete{noun}")(self.caller, self._name(kwargs))
        return Response(status=status.HTTP_204_NO_CONTENT)


@cache
def collection_view(kind: kinds.Kind) -> type[EntitiesView]:
    """The view of `/<plural>/`: List{noun}s (?path_prefix=, ?tag=) and Create{noun}."""
    shapes = SHAPES[kind.key]
    untagged = "" if kind.has_tags else f" ({kind.plural} have no tags: ?tag= matches none)"
    view = type(f"{kind.label_plural.title().replace(' ', '')}View", (EntitiesView,), {
        "__module__": __name__, "kind": kind,
        "iam_actions": {"GET": kind.action("List{noun}s"), "POST": kind.action(shapes.create_op)},
    })
    return extend_schema_view(
        get=extend_schema(parameters=[s.ListFilterSerializer], responses=paginated(shapes.output),
                          summary=f"List{kind.noun}s{untagged}"),
        post=extend_schema(request=shapes.create, responses={201: shapes.output},
                           summary=shapes.create_op.format(noun=kind.noun)),
    )(view)


@cache
def item_view(kind: kinds.Kind) -> type[EntityView]:
    """The view of `/<plural>/<name>/`: Get{noun}, Update{noun} (a kind that has it) and
    Delete{noun}."""
    shapes = SHAPES[kind.key]
    actions = {"GET": kind.action("Get{noun}"), "PATCH": kind.action("Update{noun}"),
               "DELETE": kind.action("Delete{noun}")}
    schemas = {
        "get": extend_schema(responses=shapes.output, summary=f"Get{kind.noun}"),
        "patch": extend_schema(request=shapes.update, responses=shapes.output,
                               summary=f"Update{kind.noun} (If-Match: the {kind.key}'s ETag)"),
        "delete": extend_schema(responses={204: None}, summary=f"Delete{kind.noun}"),
    }
    attributes: dict[str, Any] = {"__module__": __name__, "kind": kind, "iam_actions": actions}
    if shapes.update is None:
        del actions["PATCH"], schemas["patch"]
        attributes["http_method_names"] = ["get", "delete", "head", "options"]
    view = type(f"{kind.label.title().replace(' ', '')}View", (EntityView,), attributes)
    return extend_schema_view(**schemas)(view)


# --------------------------------------------------------------------------- one kind only


class UserGroupsView(IAMView):
    iam_actions = {"GET": "iam:ListGroupsForUser"}

    @extend_schema(responses=paginated(s.GroupSerializer), summary="ListGroupsForUser")
    def get(self, request, user_name):
        groups = iam.list_groups_for_user(self.caller, user_name)
        return paginate(self, groups, s.GroupSerializer)


class GroupMembersView(IAMView):
    iam_actions = {"GET": "iam:GetGroup", "POST": "iam:AddUserToGroup"}

    @extend_schema(responses=paginated(s.UserSerializer), summary="GetGroup (its users)")
    def get(self, request, group_name):
        _group, members = iam.get_group(self.caller, group_name)
        return paginate(self, members.select_related("permissions_boundary"), s.UserSerializer)

    @extend_schema(request=s.MemberSerializer, responses={204: None}, summary="AddUserToGroup")
    def post(self, request, group_name):
        data = valid(s.MemberSerializer, request.data)
        iam.add_user_to_group(self.caller, group_name, data["user_name"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupMemberView(IAMView):
    iam_actions = {"DELETE": "iam:RemoveUserFromGroup"}

    @extend_schema(responses={204: None}, summary="RemoveUserFromGroup")
    def delete(self, request, group_name, user_name):
        iam.remove_user_from_group(self.caller, group_name, user_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TrustPolicyView(IAMView):
    iam_actions = {"GET": "iam:GetRole", "PUT": "iam:UpdateAssumeRolePolicy"}

    @extend_schema(responses=s.TrustPolicySerializer, summary="The role's trust policy")
    def get(self, request, role_name):
        role = iam.get_role(self.caller, role_name)
        return _with_etag(Response({"policy_document": role.assume_role_policy_document}), role)

    @extend_schema(request=s.TrustPolicySerializer, responses=s.TrustPolicySerializer,
                   summary="UpdateAssumeRolePolicy (If-Match: the role's ETag)")
    def put(self, request, role_name):
        data = valid(s.TrustPolicySerializer, request.data)
        with precondition():
            role = iam.update_assume_role_policy(self.caller, role_name, data["policy_document"],
                                                 revision=if_match_revision(request))
        return _with_etag(Response({"policy_document": role.assume_role_policy_document}), role)


class RoleInstanceProfilesView(IAMView):
    iam_actions = {"GET": "iam:ListInstanceProfilesForRole"}

    @extend_schema(responses=paginated(s.InstanceProfileSerializer),
                   summary="ListInstanceProfilesForRole")
    def get(self, request, role_name):
        profiles = iam.list_instance_profiles_for_role(self.caller, role_name)
        return paginate(self, profiles, s.InstanceProfileSerializer)


class InstanceProfileRolesView(IAMView):
    iam_actions = {"POST": "iam:AddRoleToInstanceProfile"}

    @extend_schema(request=s.RoleNameSerializer, responses=s.InstanceProfileSerializer,
                   summary="AddRoleToInstanceProfile (one role at most; iam:PassRole too)")
    def post(self, request, instance_profile_name):
        data = valid(s.RoleNameSerializer, request.data)
        profile = iam.add_role_to_instance_profile(self.caller, instance_profile_name,
                                                   data["role_name"])
        return _with_etag(Response(s.InstanceProfileSerializer(profile).data), profile)


class InstanceProfileRoleView(IAMView):
    iam_actions = {"DELETE": "iam:RemoveRoleFromInstanceProfile"}

    @extend_schema(responses={204: None}, summary="RemoveRoleFromInstanceProfile")
    def delete(self, request, instance_profile_name, role_name):
        iam.remove_role_from_instance_profile(self.caller, instance_profile_name, role_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceLinkedRolesView(IAMView):
    iam_actions = {"POST": "iam:CreateServiceLinkedRole"}

    @extend_schema(request=s.CreateServiceLinkedRoleSerializer,
                   responses={201: s.RoleSerializer}, summary="CreateServiceLinkedRole")
    def post(self, request):
        data = valid(s.CreateServiceLinkedRoleSerializer, request.data)
        role = iam.create_service_linked_role(self.caller, data["aws_service_name"],
                                              description=data.get("description"),
                                              custom_suffix=data.get("custom_suffix"))
        return _with_etag(Response(s.RoleSerializer(role).data, status=201), role)


class ServiceLinkedRoleView(IAMView):
    iam_actions = {"DELETE": "iam:DeleteServiceLinkedRole"}

    @extend_schema(responses={202: s.DeletionTaskSerializer}, summary="DeleteServiceLinkedRole")
    def delete(self, request, role_name):
        task_id = iam.delete_service_linked_role(self.caller, role_name)
        return Response({"deletion_task_id": task_id}, status=status.HTTP_202_ACCEPTED)


class ServiceLinkedRoleDeletionView(IAMView):
    iam_actions = {"GET": "iam:GetServiceLinkedRoleDeletionStatus"}

    @extend_schema(parameters=[s.DeletionTaskSerializer], responses=s.DeletionStatusSerializer,
                   summary="GetServiceLinkedRoleDeletionStatus (?deletion_task_id=)")
    def get(self, request):
        data = valid(s.DeletionTaskSerializer, request.query_params)
        task = iam.get_service_linked_role_deletion_status(self.caller,
                                                           data["deletion_task_id"])
        return Response(s.DeletionStatusSerializer(task).data)
