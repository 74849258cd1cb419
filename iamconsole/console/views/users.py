"""Users: list, detail with tabs (permissions, groups, security credentials, tags), create, edit,
delete, group membership, access keys, MFA devices and tags."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError, ValidationError
from iamconsole.iam.models import (
    AccessKey,
    Group,
    UserInlinePolicy,
    UserPolicyAttachment,
    VirtualMFADevice,
)
from iamconsole.iam.services.groups import group_arn
from iamconsole.iam.services.users import user_arn

from .. import pickers
from ..auth import (
    console_view,
    create_contexts,
    get_caller,
    may_do_with_some_boundary,
    policies_changed,
)
from ..forms import GroupNameForm, TagForm, UserCreateForm, UserEditForm
from ..listing import build_listing
from .common import changed, failed, form_page, in_place, readable
from .identity import entity_arn, permissions_context

TABS = [("permissions", "Permissions"), ("groups", "Groups"),
        ("credentials", "Security credentials"), ("tags", "Tags")]
SORTS = {"name": "name", "path": "path", "created": "created_at", "groups": "group_count",
         "policies": "policy_count", "keys": "key_count", "last_sign_in": "password_last_used"}

user_resource = entity_arn("user")


def with_row_facts(qs):
    """The list columns as correlated subqueries: one query per page, whatever the row count."""
    return qs.annotate(
        group_count=iam.related_count(Group.members.through, "user"),
        policy_count=iam.related_count(UserPolicyAttachment, "user")
        + iam.related_count(UserInlinePolicy, "user"),
        key_count=iam.related_count(AccessKey, "user"),
        has_mfa=Exists(VirtualMFADevice.objects.filter(user=OuterRef("pk"))),
        oldest_key=Subquery(AccessKey.objects.filter(user=OuterRef("pk"), status="Active")
                            .order_by("created_at").values("created_at")[:1]),
    )


@console_view("iam:ListUsers", user_arn("*"), methods=("GET",))
def user_list(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    path_error = ""
    try:
        qs = iam.list_users(caller, path_prefix=request.GET.get("path") or "/")
    except ValidationError as exc:
        path_error, qs = exc.message, iam.list_users(caller)
    listing = build_listing(request, qs, sortable=SORTS, tags=True, facts=with_row_facts)
    context = {"listing": listing, "path_error": path_error,
               "can_create": _may_create_user(request)}
    if request.htmx and request.htmx.target == "results":
        return render(request, "console/users/_table.html", context)
    return render(request, "console/users/list.html", context)


def _may_create_user(request: HttpRequest) -> bool:
    return may_do_with_some_boundary(request, "iam:CreateUser", user_arn("*"))


def _boundary_picker(request: HttpRequest) -> pickers.Picker:
    policies, _ = readable(lambda: iam.list_policies(get_caller(request), counts=False))
    return pickers.create_boundary_picker(
        request, policies, kind="user", action="iam:CreateUser", resource=user_arn("*"),
        keep=request.POST.get("permissions_boundary", ""))


@console_view("iam:CreateUser", user_arn("*"),
              contexts=create_contexts("iam:CreateUser"))
def user_create(request: HttpRequest) -> HttpResponse:
    picker = _boundary_picker(request)
    if request.method == "POST":
        form = UserCreateForm(request.POST, boundary_picker=picker,
                              find_policy=pickers.find_policy)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = iam.create_user(
                    get_caller(request), data["user_name"], path=data["path"] or "/",
                    permissions_boundary=data["permissions_boundary"] or None,
                    tags=data["tags"] or None)
            except IAMError as exc:
                form.apply_error(exc)
            else:
                return changed(request, reverse("console:user_detail", args=[user.name]),
                               f"Created user {user.name}.")
    else:
        form = UserCreateForm(boundary_picker=picker, find_policy=pickers.find_policy,
                              initial={"permissions_boundary": picker.options[0].value
                                       if picker.options else ""})
    return form_page(request, "console/users/form.html", {"creating": True}, form)


@console_view("iam:GetUser", user_resource, methods=("GET",))
def user_detail(request: HttpRequest, name: str) -> HttpResponse:
    user = iam.get_user(get_caller(request), name)
    tab = request.GET.get("tab", "permissions")
    if tab not in dict(TABS):
        tab = "permissions"
    context = {"user_obj": user, "tab": tab, "tabs": TABS, **tab_context(request, user, tab)}
    context["tab_template"] = f"console/users/_tab_{tab}.html"
    if request.htmx and request.htmx.target == "tabbed":
        return render(request, "console/_tabbed.html", context)
    return render(request, "console/users/detail.html", context)


def tab_context(request: HttpRequest, user, tab: str) -> dict:
    caller = get_caller(request)
    if tab == "permissions":
        return permissions_context(request, "user", user)
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


def tab_fragment(request: HttpRequest, name: str, tab: str, notice: str = "",
                 **extra) -> HttpResponse:
    user = iam.find_user(name)
    context = {"user_obj": user, "tab": tab, "notice": notice,
               **tab_context(request, user, tab), **extra}
    return render(request, f"console/users/_tab_{tab}.html", context)


def _detail_url(name: str, tab: str) -> str:
    return reverse("console:user_detail", args=[name]) + f"?tab={tab}"


@console_view("iam:UpdateUser", user_resource)
def user_edit(request: HttpRequest, name: str) -> HttpResponse:
    user = iam.get_user(get_caller(request), name)
    if request.method == "POST":
        form = UserEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = iam.update_user(get_caller(request), name,
                                       new_user_name=data["new_user_name"],
                                       new_path=data["new_path"] or None,
                                       revision=data["revision"])
            except IAMError as exc:
                form.apply_error(exc)
            else:
                return changed(request, reverse("console:user_detail", args=[user.name]),
                               f"Saved user {user.name}.")
    else:
        form = UserEditForm(initial={"new_user_name": user.name, "new_path": user.path,
                                     "revision": user.revision})
    return form_page(request, "console/users/form.html", {"user_obj": user}, form)


@console_view("iam:DeleteUser", user_resource)
def user_delete(request: HttpRequest, name: str) -> HttpResponse:
    user = iam.find_user(name)
    error = ""
    if request.method == "POST":
        try:
            iam.delete_user(get_caller(request), name)
        except IAMError as exc:
            if exc.code == "AccessDenied":
                raise
            error = exc.message
        else:
            return changed(request, reverse("console:user_list"), f"Deleted user {name}.")
    template = "console/_confirm_delete.html" if request.htmx else "console/confirm_delete.html"
    return render(request, template, {
        "object_kind": "user", "object_name": user.name, "error": error,
        "action_url": reverse("console:user_delete", args=[name]),
        "cancel_url": reverse("console:user_detail", args=[name]),
        "warning": "Remove the user's console password, access keys, MFA devices, policies and "
                   "group memberships first.",
    }, status=409 if error else 200)


# Group membership ---------------------------------------------------------------------------

def _posted_group_arn(request: HttpRequest, name: str) -> str:
    group_name = request.POST.get("group_name", "")
    return iam.find_group(group_name).arn if group_name else group_arn("*")


@console_view("iam:AddUserToGroup", _posted_group_arn, methods=("POST",))
def user_add_to_group(request: HttpRequest, name: str) -> HttpResponse:
    form = GroupNameForm(request.POST)
    group_name = form.data.get("group_name", "")
    return in_place(
        request, lambda: iam.add_user_to_group(get_caller(request), group_name, name),
        url=_detail_url(name, "groups"), message=f"Added {name} to {group_name}.",
        fragment=lambda msg: tab_fragment(request, name, "groups", msg))


@console_view("iam:RemoveUserFromGroup", lambda request, name, group: iam.find_group(group).arn,
              methods=("POST",))
def user_remove_from_group(request: HttpRequest, name: str, group: str) -> HttpResponse:
    return in_place(
        request, lambda: iam.remove_user_from_group(get_caller(request), group, name),
        url=_detail_url(name, "groups"), message=f"Removed {name} from {group}.",
        fragment=lambda msg: tab_fragment(request, name, "groups", msg))


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
    return in_place(
        request, lambda: iam.update_access_key(get_caller(request), key_id, status, name),
        url=_detail_url(name, "credentials"), message=f"Access key {key_id} is now {status}.",
        fragment=lambda msg: tab_fragment(request, name, "credentials", msg))


@console_view("iam:DeleteAccessKey", user_resource, methods=("POST",))
def access_key_delete(request: HttpRequest, name: str, key_id: str) -> HttpResponse:
    return in_place(
        request, lambda: iam.delete_access_key(get_caller(request), key_id, name),
        url=_detail_url(name, "credentials"), message=f"Deleted access key {key_id}.",
        fragment=lambda msg: tab_fragment(request, name, "credentials", msg))


@console_view("iam:DeactivateMFADevice", user_resource, methods=("POST",))
def mfa_deactivate(request: HttpRequest, name: str) -> HttpResponse:
    serial = request.POST.get("serial_number", "")
    return in_place(
        request, lambda: iam.deactivate_mfa_device(get_caller(request), name, serial),
        url=_detail_url(name, "credentials"), message=f"Deactivated MFA device {serial}.",
        fragment=lambda msg: tab_fragment(request, name, "credentials", msg))


# Tags ---------------------------------------------------------------------------------------

def _tag_context(request, caller):
    key = request.POST.get("key", "")
    return [{"aws:TagKeys": [key], f"aws:RequestTag/{key}": request.POST.get("value", "")}]


@console_view("iam:TagUser", user_resource, contexts=_tag_context, methods=("POST",))
def user_tag(request: HttpRequest, name: str) -> HttpResponse:
    form = TagForm(request.POST)
    if not form.is_valid():
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        return failed(request, ValidationError(message), _detail_url(name, "tags"))
    key, value = form.cleaned_data["key"], form.cleaned_data["value"]
    return in_place(
        request, lambda: iam.tag_user(get_caller(request), name, {key: value}),
        url=_detail_url(name, "tags"), message=f"Tag {key} saved.",
        fragment=lambda msg: tab_fragment(request, name, "tags", msg))


@console_view("iam:UntagUser", user_resource, methods=("POST",))
def user_untag(request: HttpRequest, name: str) -> HttpResponse:
    key = request.POST.get("key", "")
    return in_place(
        request, lambda: iam.untag_user(get_caller(request), name, [key]),
        url=_detail_url(name, "tags"), message=f"Tag {key} removed.",
        fragment=lambda msg: tab_fragment(request, name, "tags", msg))


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
        response = render(request, "console/users/detail.html", {
            "user_obj": user, "tab": "credentials", "tabs": TABS,
            "tab_template": "console/users/_tab_credentials.html", "password_error": error,
            **tab_context(request, user, "credentials")})
    response.status_code = 400
    return response


@console_view("iam:DeleteLoginProfile", user_resource, methods=("POST",))
def login_profile_delete(request: HttpRequest, name: str) -> HttpResponse:
    return in_place(
        request, lambda: iam.delete_login_profile(get_caller(request), name),
        url=_detail_url(name, "credentials"), message="Console access disabled.",
        fragment=lambda msg: tab_fragment(request, name, "credentials", msg))
