"""Groups: the generic list, detail (tabs: users, permissions), create, edit and delete pages
(views/entities.py), and adding / removing members."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from iamconsole.iam import kinds
from iamconsole.iam import services as iam

from ..auth import console_view, get_caller
from ..forms import GroupCreateForm, GroupEditForm, UserNameForm
from . import entities
from .identity import entity_arn


class GroupPage(entities.EntityPage):
    kind = kinds.GROUP
    var = "group"
    tabs = (("users", "Users"), ("permissions", "Permissions"))
    sorts = {"name": "name", "path": "path", "created": "created_at", "users": "user_count",
             "policies": "policy_count"}
    list_action = "iam:ListGroups"
    create_form = GroupCreateForm
    edit_form = GroupEditForm
    delete_warning = "Remove the group's users and policies first."

    def load(self, caller, name):
        group, _ = iam.get_group(caller, name)
        return group

    def create(self, caller, data):
        return iam.create_group(caller, data["group_name"], path=data["path"] or "/")

    def tab_context(self, request, group, tab):
        _, members = iam.get_group(get_caller(request), group.name)
        return {"members": list(members)}


PAGE = GroupPage()
group_resource = entity_arn("group")


@console_view("iam:AddUserToGroup", group_resource, methods=("POST",))
def group_add_member(request: HttpRequest, name: str) -> HttpResponse:
    form = UserNameForm(request.POST)
    user_name = form.data.get("user_name", "").strip()
    return entities.in_tab(
        request, PAGE, name, "users",
        lambda: iam.add_user_to_group(get_caller(request), name, user_name),
        f"Added {user_name} to {name}.")


@console_view("iam:RemoveUserFromGroup", group_resource, methods=("POST",))
def group_remove_member(request: HttpRequest, name: str, user: str) -> HttpResponse:
    return entities.in_tab(
        request, PAGE, name, "users",
        lambda: iam.remove_user_from_group(get_caller(request), name, user),
        f"Removed {user} from {name}.")
