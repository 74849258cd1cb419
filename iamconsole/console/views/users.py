"""Users: list, detail with tabs (permissions, groups, security credentials, tags), create, edit,
delete, group membership, access keys, MFA devices and tags."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from iamconsole.iam import kinds
from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError

from ..auth import console_view, get_caller, policies_changed
from ..forms import GroupNameForm, UserCreateForm, UserEditForm
from . import entities
from .common import failed, readable
from .identity import entity_arn


class UserPage(entities.EntityPage):
    kind = kinds.USER
    var = "user_obj"
    tabs = (("permissions", "Permissions"), ("groups", "Groups"),
            ("credentials", "Security credentials"), ("tags", "Tags"))
    sorts = {"name": "name", "path": "path", "created": "created_at", "groups": "group_count",
             "policies": "policy_count", "keys": "key_count",
             "last_sign_in": "password_last_used"}
    list_action = "iam:ListUsers"
    create_form = UserCreateForm
    edit_form = UserEditForm
    delete_warning = ("Remove the user's console password, access keys, MFA devices, policies "
                      "and group memberships first.")

    def create(self, caller, data):
        return iam.create_user(caller, data["user_name"], path=data["path"] or "/",
                               permissions_boundary=data["permissions_boundary"] or None,
                               tags=data["tags"] or None)

    def tab_context(self, request, user, tab):
        caller = get_caller(request)
        if tab == "groups":
            groups, denied = readable(lambda: list(iam.list_groups_for_user(caller, user.name)))
            all_groups, _ = readable(lambda: list(iam.list_groups(caller)))
            member_of = {g.pk for g in groups or []}
            return {"groups": groups, "groups_denied": denied,
                    "addable_groups": [g for g in all_groups or [] if g.pk not in member_of]}
        if tab == "credentials":
            keys, keys_denied = readable(lambda: list(iam.list_access_keys(caller, user.name)))
            devices, mfa_denied = readable(lambda: list(iam.list_mfa_devices(caller, user.name)))
            return {"keys": keys, "keys_denied": keys_denied, "devices": devices,
                    "mfa_denied": mfa_denied, "max_keys": 2,
                    "password_expires_at": iam.password_expires_at(user)}
        return {}


PAGE = UserPage()
user_resource = entity_arn("user")


def tab_fragment(request: HttpRequest, name: str, tab: str, notice: str = "",
                 **extra) -> HttpResponse:
    return entities.tab_fragment(request, PAGE, name, tab, notice, **extra)


def _detail_url(name: str, tab: str) -> str:
    return PAGE.tab_url([name], tab)


# Group membership ---------------------------------------------------------------------------

def _posted_group_arn(request: HttpRequest, name: str) -> str:
    group_name = request.POST.get("group_name", "")
    return iam.find_group(group_name).arn if group_name else kinds.GROUP.arn("*")


@console_view("iam:AddUserToGroup", _posted_group_arn, methods=("POST",))
def user_add_to_group(request: HttpRequest, name: str) -> HttpResponse:
    form = GroupNameForm(request.POST)
    group_name = form.data.get("group_name", "")
    return entities.in_tab(
        request, PAGE, name, "groups",
        lambda: iam.add_user_to_group(get_caller(request), group_name, name),
        f"Added {name} to {group_name}.")


@console_view("iam:RemoveUserFromGroup", lambda request, name, group: iam.find_group(group).arn,
              methods=("POST",))
def user_remove_from_group(request: HttpRequest, name: str, group: str) -> HttpResponse:
    return entities.in_tab(
        request, PAGE, name, "groups",
        lambda: iam.remove_user_from_group(get_caller(request), group, name),
        f"Removed {name} from {group}.")


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


@console_view("iam:UpdateAccessKey", user_resource, methods=("POST",))
def access_key_status(request: HttpRequest, name: str, key_id: str) -> HttpResponse:
    status = request.POST.get("status", "")
    return entities.in_tab(
        request, PAGE, name, "credentials",
        lambda: iam.update_access_key(get_caller(request), key_id, status, name),
        f"Access key {key_id} is now {status}.")


@console_view("iam:DeleteAccessKey", user_resource, methods=("POST",))
def access_key_delete(request: HttpRequest, name: str, key_id: str) -> HttpResponse:
    return entities.in_tab(
        request, PAGE, name, "credentials",
        lambda: iam.delete_access_key(get_caller(request), key_id, name),
        f"Deleted access key {key_id}.")


@console_view("iam:DeactivateMFADevice", user_resource, methods=("POST",))
def mfa_deactivate(request: HttpRequest, name: str) -> HttpResponse:
    serial = request.POST.get("serial_number", "")
    return entities.in_tab(
        request, PAGE, name, "credentials",
        lambda: iam.deactivate_mfa_device(get_caller(request), name, serial),
        f"Deactivated MFA device {serial}.")


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
    else:
        user = iam.find_user(name)
        context = entities.detail_context(request, PAGE, user, "credentials")
        response = render(request, PAGE.detail_template(), {**context, "password_error": error})
    response.status_code = 400
    return response


@console_view("iam:DeleteLoginProfile", user_resource, methods=("POST",))
def login_profile_delete(request: HttpRequest, name: str) -> HttpResponse:
    return entities.in_tab(
        request, PAGE, name, "credentials",
        lambda: iam.delete_login_profile(get_caller(request), name),
        "Console access disabled.")
