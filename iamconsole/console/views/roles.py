"""Roles: the generic list, detail (tabs: permissions, trust relationships, tags), create, edit,
delete and tag pages (views/entities.py), and the trust policy editor."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from iamconsole.iam import kinds, trust
from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError

from ..auth import console_view, get_caller
from ..forms import RoleCreateForm, RoleEditForm, TrustPolicyForm
from ..summary import summarize
from . import entities
from .common import changed, form_page, readable
from .identity import entity_arn


class RolePage(entities.EntityPage):
    kind = kinds.ROLE
    var = "role"
    tabs = (("permissions", "Permissions"), ("trust", "Trust relationships"),
            ("instance_profiles", "Instance profiles"), ("sessions", "Sessions"),
            ("tags", "Tags"),
            entities.LAST_ACCESSED_TAB,
            entities.ACTIVITY_TAB)
    sorts = {"name": "name", "path": "path", "created": "created_at",
             "policies": "policy_count", "last_used": "last_used_at"}
    search_fields = ("name", "description")
    list_action = "iam:ListRoles"
    create_form = RoleCreateForm
    edit_form = RoleEditForm
    edit_tab = "permissions"
    delete_warning = ("Remove the role from its instance profiles and detach and delete its "
                      "policies first.")

    def create(self, caller, data):
        return iam.create_role(
            caller, data["role_name"], data["assume_role_policy_document"],
            path=data["path"] or "/", description=data["description"],
            max_session_duration=data["max_session_duration"],
            permissions_boundary=data["permissions_boundary"] or None, tags=data["tags"] or None)

    def edit_initial(self, role):
        return {"description": role.description,
                "max_session_duration": role.max_session_duration, "revision": role.revision}

    def update(self, caller, name, role, data):
        # A service-linked role's description is all that may change on it.
        duration = None if role.is_service_linked else data["max_session_duration"]
        return iam.update_role(caller, name, description=data["description"],
                               max_session_duration=duration, revision=data["revision"])

    def tab_context(self, request, role, tab):
        if tab == "sessions":
            from .sign_in_security import role_sessions_context

            return role_sessions_context(request, role)
        if tab == "trust":
            document = role.assume_role_policy_document
            return {"trust_summary": summarize(document, "trust"),
                    "trusted_principals": trust.trusted_principals(document)}
        if tab == "instance_profiles":
            profiles, denied = readable(lambda: list(
                iam.list_instance_profiles_for_role(get_caller(request), role.name)))
            return {"instance_profiles": profiles or [], "profiles_denied": denied}
        return {}


PAGE = RolePage()


@console_view("iam:UpdateAssumeRolePolicy", entity_arn("role"))
def role_trust(request: HttpRequest, name: str) -> HttpResponse:
    role = iam.get_role(get_caller(request), name)
    if request.method == "POST":
        form = TrustPolicyForm(request.POST)
        if form.is_valid():
            try:
                iam.update_assume_role_policy(get_caller(request), name,
                                              form.cleaned_data["policy_document"],
                                              revision=form.cleaned_data["revision"])
            except IAMError as exc:
                form.apply_error(exc)
            else:
                return changed(request, PAGE.tab_url([name], "trust"), "Trust policy saved.")
    else:
        form = TrustPolicyForm(initial={"policy_document": role.assume_role_policy_document,
                                        "revision": role.revision})
    return form_page(request, "console/roles/trust_form.html",
                     {"role": role, "doc_kind": "trust"}, form)
