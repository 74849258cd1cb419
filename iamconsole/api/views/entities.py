"""Users, groups and roles themselves: list/create, get/update/delete, group members, trust policy.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from iamconsole.iam import services as iam

from .. import serializers as s
from ..etags import if_match_revision, precondition, revision_etag
from ..pagination import paginate
from ..schema import paginated
from .base import IAMView, filter_by_tag, valid


def _with_etag(response: Response, obj) -> Response:
    response["ETag"] = revision_etag(obj)
    return response


# --------------------------------------------------------------------------- users


class UsersView(IAMView):
    iam_actions = {"GET": "iam:ListUsers", "POST": "iam:CreateUser"}

    @extend_schema(parameters=[s.ListFilterSerializer], responses=paginated(s.UserSerializer),
                   summary="ListUsers")
    def get(self, request):
        f = valid(s.ListFilterSerializer, request.query_params)
        users = iam.list_users(self.caller, path_prefix=f.get("path_prefix"))
        return paginate(self, filter_by_tag(users, f.get("tag")), s.UserSerializer)

    @extend_schema(request=s.CreateUserSerializer, responses={201: s.UserSerializer},
                   summary="CreateUser")
    def post(self, request):
        data = valid(s.CreateUserSerializer, request.data)
        user = iam.create_user(self.caller, data["user_name"], path=data.get("path"),
                               permissions_boundary=data.get("permissions_boundary"),
                               tags=data.get("tags"))
        return _with_etag(Response(s.UserSerializer(user).data, status=201), user)


class UserView(IAMView):
    iam_actions = {"GET": "iam:GetUser", "PATCH": "iam:UpdateUser", "DELETE": "iam:DeleteUser"}

    @extend_schema(responses=s.UserSerializer, summary="GetUser")
    def get(self, request, user_name):
        user = iam.get_user(self.caller, user_name)
        return _with_etag(Response(s.UserSerializer(user).data), user)

    @extend_schema(request=s.UpdateUserSerializer, responses=s.UserSerializer,
                   summary="UpdateUser (If-Match: the user's ETag)")
    def patch(self, request, user_name):
        data = valid(s.UpdateUserSerializer, request.data)
        with precondition():
            user = iam.update_user(self.caller, user_name,
                                   new_user_name=data.get("new_user_name"),
                                   new_path=data.get("new_path"),
                                   revision=if_match_revision(request))
        return _with_etag(Response(s.UserSerializer(user).data), user)

    @extend_schema(responses={204: None}, summary="DeleteUser")
    def delete(self, request, user_name):
        iam.delete_user(self.caller, user_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserGroupsView(IAMView):
    iam_actions = {"GET": "iam:ListGroupsForUser"}

    @extend_schema(responses=paginated(s.GroupSerializer), summary="ListGroupsForUser")
    def get(self, request, user_name):
        groups = iam.list_groups_for_user(self.caller, user_name)
        return paginate(self, groups, s.GroupSerializer)


# --------------------------------------------------------------------------- groups


class GroupsView(IAMView):
    iam_actions = {"GET": "iam:ListGroups", "POST": "iam:CreateGroup"}

    @extend_schema(parameters=[s.ListFilterSerializer], responses=paginated(s.GroupSerializer),
                   summary="ListGroups (groups have no tags: ?tag= matches none)")
    def get(self, request):
        f = valid(s.ListFilterSerializer, request.query_params)
        groups = iam.list_groups(self.caller, path_prefix=f.get("path_prefix"))
        if f.get("tag"):
            groups = groups.none()
        return paginate(self, groups, s.GroupSerializer)

    @extend_schema(request=s.CreateGroupSerializer, responses={201: s.GroupSerializer},
                   summary="CreateGroup")
    def post(self, request):
        data = valid(s.CreateGroupSerializer, request.data)
        group = iam.create_group(self.caller, data["group_name"], path=data.get("path"))
        return _with_etag(Response(s.GroupSerializer(group).data, status=201), group)


class GroupView(IAMView):
    iam_actions = {"GET": "iam:GetGroup", "PATCH": "iam:UpdateGroup",
                   "DELETE": "iam:DeleteGroup"}

    @extend_schema(responses=s.GroupSerializer, summary="GetGroup")
    def get(self, request, group_name):
        group, _members = iam.get_group(self.caller, group_name)
        return _with_etag(Response(s.GroupSerializer(group).data), group)

    @extend_schema(request=s.UpdateGroupSerializer, responses=s.GroupSerializer,
                   summary="UpdateGroup (If-Match: the group's ETag)")
    def patch(self, request, group_name):
        data = valid(s.UpdateGroupSerializer, request.data)
        with precondition():
            group = iam.update_group(self.caller, group_name,
                                     new_group_name=data.get("new_group_name"),
                                     new_path=data.get("new_path"),
                                     revision=if_match_revision(request))
        return _with_etag(Response(s.GroupSerializer(group).data), group)

    @extend_schema(responses={204: None}, summary="DeleteGroup")
    def delete(self, request, group_name):
        iam.delete_group(self.caller, group_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


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


# --------------------------------------------------------------------------- roles


class RolesView(IAMView):
    iam_actions = {"GET": "iam:ListRoles", "POST": "iam:CreateRole"}

    @extend_schema(parameters=[s.ListFilterSerializer], responses=paginated(s.RoleSerializer),
                   summary="ListRoles")
    def get(self, request):
        f = valid(s.ListFilterSerializer, request.query_params)
        roles = iam.list_roles(self.caller, path_prefix=f.get("path_prefix"))
        return paginate(self, filter_by_tag(roles, f.get("tag")), s.RoleSerializer)

    @extend_schema(request=s.CreateRoleSerializer, responses={201: s.RoleSerializer},
                   summary="CreateRole")
    def post(self, request):
        data = valid(s.CreateRoleSerializer, request.data)
        role = iam.create_role(
            self.caller, data["role_name"], data["assume_role_policy_document"],
            path=data.get("path"), description=data.get("description"),
            max_session_duration=data.get("max_session_duration"),
            permissions_boundary=data.get("permissions_boundary"), tags=data.get("tags"),
        )
        return _with_etag(Response(s.RoleSerializer(role).data, status=201), role)


class RoleView(IAMView):
    iam_actions = {"GET": "iam:GetRole", "PATCH": "iam:UpdateRole", "DELETE": "iam:DeleteRole"}

    @extend_schema(responses=s.RoleSerializer, summary="GetRole")
    def get(self, request, role_name):
        role = iam.get_role(self.caller, role_name)
        return _with_etag(Response(s.RoleSerializer(role).data), role)

    @extend_schema(request=s.UpdateRoleSerializer, responses=s.RoleSerializer,
                   summary="UpdateRole (If-Match: the role's ETag)")
    def patch(self, request, role_name):
        data = valid(s.UpdateRoleSerializer, request.data)
        with precondition():
            role = iam.update_role(self.caller, role_name, description=data.get("description"),
                                   max_session_duration=data.get("max_session_duration"),
                                   revision=if_match_revision(request))
        return _with_etag(Response(s.RoleSerializer(role).data), role)

    @extend_schema(responses={204: None}, summary="DeleteRole")
    def delete(self, request, role_name):
        iam.delete_role(self.caller, role_name)
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
