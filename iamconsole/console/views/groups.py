"""Groups: the generic list, detail (tabs: users, permissions), create, edit and delete pages
(views/entities.py), and adding / removing members."""

from __future__ import annotations

from django.http import HttpRequest

from iamconsole.iam import kinds
from iamconsole.iam import services as iam

from .. import pickers
from ..auth import get_caller
from ..forms import GroupCreateForm, GroupEditForm
from . import entities
from .common import readable


class GroupPage(entities.EntityPage):
    kind = kinds.GROUP
    var = "group"
    tabs = (("users", "Users"), ("permissions", "Permissions"), entities.LAST_ACCESSED_TAB,
            entities.ACTIVITY_TAB)
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
        caller = get_caller(request)
        _, members = iam.get_group(caller, group.name)
        members = list(members)
        picker, users_denied = readable(
            lambda: pickers.member_picker(iam.list_users(caller, path_prefix=None), group,
                                          members))
        return {"members": members, "member_picker": picker, "users_denied": users_denied}


PAGE = GroupPage()


def _posted_users(request: HttpRequest) -> list[str]:
    """The users chosen to add (a multi-select, or one typed name)."""
    return list(dict.fromkeys(name.strip() for name in request.POST.getlist("user_name")
                              if name.strip()))


group_add_member = entities.tab_action(
    PAGE, "users", "iam:AddUserToGroup",
    lambda caller, name, request: iam.add_users_to_group(caller, name, _posted_users(request)),
    lambda request, name: f"Added {', '.join(_posted_users(request))} to {name}.")
group_remove_member = entities.tab_action(
    PAGE, "users", "iam:RemoveUserFromGroup",
    lambda caller, name, request, user: iam.remove_user_from_group(caller, name, user),
    lambda request, name, user: f"Removed {user} from {name}.")
