"""Instance profiles: the generic list, detail (tabs: role, tags), create and delete pages
(views/entities.py; AWS has no UpdateInstanceProfile, so no edit page), and adding / removing
the profile's role."""

from __future__ import annotations

from django.http import HttpRequest

from iamconsole.iam import kinds
from iamconsole.iam import services as iam

from .. import pickers
from ..auth import get_caller
from ..forms import InstanceProfileCreateForm, RoleNameForm
from . import entities
from .common import readable


class InstanceProfilePage(entities.EntityPage):
    kind = kinds.INSTANCE_PROFILE
    var = "profile"
    tabs = (("role", "Role"), ("tags", "Tags"))
    sorts = {"name": "name", "path": "path", "created": "created_at"}
    list_action = "iam:ListInstanceProfiles"
    create_form = InstanceProfileCreateForm
    editable = False
    delete_warning = "Remove the instance profile's role first."

    def create(self, caller, data):
        return iam.create_instance_profile(caller, data["instance_profile_name"],
                                           path=data["path"] or "/", tags=data["tags"] or None)

    def tab_context(self, request, profile, tab):
        roles = list(profile.roles.all())
        picker = None
        if not roles:  # AWS: one role per instance profile
            listed, _ = readable(lambda: iam.list_roles(get_caller(request), path_prefix=None))
            if listed is not None:
                picker = pickers.role_picker(listed, profile)
        return {"roles": roles, "role_picker": picker}


PAGE = InstanceProfilePage()


def _posted_role(request: HttpRequest) -> str:
    return RoleNameForm(request.POST).data.get("role_name", "").strip()


instance_profile_add_role = entities.tab_action(
    PAGE, "role", "iam:AddRoleToInstanceProfile",
    lambda caller, name, request: iam.add_role_to_instance_profile(caller, name,
                                                                   _posted_role(request)),
    lambda request, name: f"Added role {_posted_role(request)} to {name}.")
instance_profile_remove_role = entities.tab_action(
    PAGE, "role", "iam:RemoveRoleFromInstanceProfile",
    lambda caller, name, request, role: iam.remove_role_from_instance_profile(caller, name, role),
    lambda request, name, role: f"Removed role {role} from {name}.")
