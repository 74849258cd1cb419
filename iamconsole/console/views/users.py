"""Users: list, detail with tabs (permissions, groups, security credentials, tags), create, edit,
delete, group membership, access keys, MFA devices and tags."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from iamconsole.iam import kinds
from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError
from iamconsole.iam.services import sign_in_sessions

from .. import pickers
from ..auth import console_view, get_caller, policies_changed
from ..forms import GroupNameForm, UserCreateForm, UserEditForm
from . import entities
from .common import failed, readable

WITHOUT_MFA = "without"  # ?mfa=without: "Users without MFA"


class UserPage(entities.EntityPage):
    kind = kinds.USER
    var = "user_obj"
    tabs = (("permissions", "Permissions"), ("groups", "Groups"),
            ("credentials", "Security credentials"), ("sessions", "Sessions"), ("tags", "Tags"),
            entities.LAST_ACCESSED_TAB,
            entities.ACTIVITY_TAB)
    sorts = {"name": "name", "path": "path", "created": "created_at", "groups": "group_count",
             "policies": "policy_count", "keys": "key_count",
             "last_sign_in": "password_last_used"}
    list_action = "iam:ListUsers"
    list_template = "console/users/list.html"
    list_params = ("mfa",)
    create_form = UserCreateForm
    edit_form = UserEditForm
    delete_warning = ("Remove the user's console password, access keys, SSH public keys, "
                      "signing certificates, service-specific credentials, MFA devices, "
                      "policies and group memberships first.")

    def list(self, caller, request, path_prefix):
        return iam.list_users(caller, path_prefix=path_prefix,
                              console_without_mfa=request.GET.get("mfa") == WITHOUT_MFA)

    def list_context(self, request):
        return {"without_mfa": request.GET.get("mfa") == WITHOUT_MFA}

    def create(self, caller, data):
        return iam.create_user(caller, data["user_name"], path=data["path"] or "/",
                               permissions_boundary=data["permissions_boundary"] or None,
                               tags=data["tags"] or None)

    def context(self, user) -> dict:
        # The lock is in the cache: one lookup per kind (password, MFA code).
        return {**super().context(user), "sign_in_lock": sign_in_sessions.lock_of(user)}

    def tab_context(self, request, user, tab):
        caller = get_caller(request)
        if tab == "sessions":
            from .sign_in_security import user_sessions_context

            return user_sessions_context(request, user)
        if tab == "groups":
            groups, denied = readable(lambda: list(iam.list_groups_for_user(caller, user.name)))
            picker, _ = readable(lambda: pickers.group_picker(
                request, iam.list_groups(caller, path_prefix=None), user, groups or []))
            return {"groups": groups, "groups_denied": denied, "group_picker": picker}
        if tab == "credentials":
            keys, keys_denied = readable(lambda: list(iam.list_access_keys(caller, user.name)))
            devices, mfa_denied = readable(lambda: list(iam.list_mfa_devices(caller, user.name)))
            from . import user_credentials

            return {"keys": keys, "keys_denied": keys_denied, "devices": devices,
                    "mfa_denied": mfa_denied, "max_keys": 2,
                    "password_expires_at": iam.password_expires_at(user),
                    **user_credentials.context(caller, user)}
        return {}


PAGE = UserPage()
user_resource = PAGE.resource


def tab_fragment(request: HttpRequest, name: str, tab: str, notice: str = "",
                 **extra) -> HttpResponse:
    return entities.tab_fragment(request, PAGE, name, tab, notice, **extra)


def _detail_url(name: str, tab: str) -> str:
    return PAGE.tab_url([name], tab)


# Group membership ---------------------------------------------------------------------------

def _posted_group_arn(request: HttpRequest, name: str) -> str:
    group_name = request.POST.get("group_name", "")
    return iam.find_group(group_name).arn if group_name else kinds.GROUP.arn("*")


def _posted_group(request: HttpRequest) -> str:
    return GroupNameForm(request.POST).data.get("group_name", "")


user_add_to_group = entities.tab_action(
    PAGE, "groups", "iam:AddUserToGroup",
    lambda caller, name, request: iam.add_user_to_group(caller, _posted_group(request), name),
    lambda request, name: f"Added {name} to {_posted_group(request)}.",
    resource=_posted_group_arn)
user_remove_from_group = entities.tab_action(
    PAGE, "groups", "iam:RemoveUserFromGroup",
    lambda caller, name, request, group: iam.remove_user_from_group(caller, group, name),
    lambda request, name, group: f"Removed {name} from {group}.",
    resource=lambda request, name, group: iam.find_group(group).arn)


# Access keys and MFA ------------------------------------------------------------------------

@console_view("iam:CreateAccessKey", user_resource, methods=("POST",))
def access_key_create(request: HttpRequest, name: str) -> HttpResponse:
    try:
        new = iam.create_access_key(get_caller(request), name)
    except IAMError as exc:
        return failed(request, exc, _detail_url(name, "credentials"))
    # The secret is in this one response only: it is never stored in clear nor shown again.
    context = {"new_key": new.access_key, "secret": new.secret_access_key}
    if request.htmx:
        response = tab_fragment(request, name, "credentials", "Access key created.", **context)
    else:
        response = render(request, "console/users/access_key_created.html",
                          {"user_obj": iam.find_user(name), **context})
    response["Cache-Control"] = "no-store"
    return response


access_key_status = entities.tab_action(
    PAGE, "credentials", "iam:UpdateAccessKey",
    lambda caller, name, request, key_id: iam.update_access_key(
        caller, key_id, request.POST.get("status", ""), name),
    lambda request, name, key_id:
        f"Access key {key_id} is now {request.POST.get('status', '')}.")
access_key_delete = entities.tab_action(
    PAGE, "credentials", "iam:DeleteAccessKey",
    lambda caller, name, request, key_id: iam.delete_access_key(caller, key_id, name),
    lambda request, name, key_id: f"Deleted access key {key_id}.")
mfa_deactivate = entities.tab_action(
    PAGE, "credentials", "iam:DeactivateMFADevice",
    lambda caller, name, request: iam.deactivate_mfa_device(
        caller, name, request.POST.get("serial_number", "")),
    lambda request, name: f"Deactivated MFA device {request.POST.get('serial_number', '')}.")


# Console password (login profile) -----------------------------------------------------------

def _login_profile_action(request: HttpRequest, name: str) -> str:
    return ("iam:UpdateLoginProfile" if iam.find_user(name).has_login_profile
            else "iam:CreateLoginProfile")


@console_view(_login_profile_action, user_resource, methods=("POST",))
def login_profile_set(request: HttpRequest, name: str) -> HttpResponse:
    """Create the console password, or set a new one (CreateLoginProfile / UpdateLoginProfile;
    each authorized by the domain). A rejected password is shown next to the field."""
    caller = get_caller(request)
    password = request.POST.get("password", "")
    reset = request.POST.get("password_reset_required") == "on"
    user = iam.find_user(name)
    try:
        if user.has_login_profile:
            iam.update_login_profile(caller, name, password=password,
                                     password_reset_required=reset)
            message = "Console password changed."
        else:
            iam.create_login_profile(caller, name, password, password_reset_required=reset)
            message = "Console access enabled."
    except IAMError as exc:
        if exc.code == "AccessDenied":
            raise
        return _credentials_with_error(request, name, exc.message)
    policies_changed(request)
    if request.htmx:
        return tab_fragment(request, name, "credentials", message)
    messages.success(request, message)
    return redirect(_detail_url(name, "credentials"))


def _credentials_with_error(request: HttpRequest, name: str, error: str) -> HttpResponse:
    if request.htmx:
        response = tab_fragment(request, name, "credentials", password_error=error)
        del response["HX-Trigger"]  # nothing changed
    else:
        user = iam.find_user(name)
        context = entities.detail_context(request, PAGE, user, "credentials")
        response = render(request, PAGE.detail_template(), {**context, "password_error": error})
    response.status_code = 400
    return response


login_profile_delete = entities.tab_action(
    PAGE, "credentials", "iam:DeleteLoginProfile",
    lambda caller, name, request: iam.delete_login_profile(caller, name),
    lambda request, name: "Console access disabled.")
