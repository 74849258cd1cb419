"""Groups: list, detail with tabs (users, permissions), create, edit, delete, members."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError, ValidationError
from iamconsole.iam.models import GroupInlinePolicy, GroupPolicyAttachment, User
from iamconsole.iam.services.groups import group_arn

from ..auth import allowed, console_view, get_caller
from ..forms import GroupCreateForm, GroupEditForm, UserNameForm
from ..listing import build_listing
from .common import changed, form_page, in_place
from .identity import entity_arn, permissions_context

TABS = [("users", "Users"), ("permissions", "Permissions")]
SORTS = {"name": "name", "path": "path", "created": "created_at", "users": "user_count",
         "policies": "policy_count"}

group_resource = entity_arn("group")


def with_row_facts(qs):
    return qs.annotate(
        user_count=iam.related_count(User.iam_groups.through, "group"),
        policy_count=iam.related_count(GroupPolicyAttachment, "group")
        + iam.related_count(GroupInlinePolicy, "group"),
    )


@console_view("iam:ListGroups", group_arn("*"), methods=("GET",))
def group_list(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    path_error = ""
    try:
        qs = iam.list_groups(caller, path_prefix=request.GET.get("path") or "/")
    except ValidationError as exc:
        path_error, qs = exc.message, iam.list_groups(caller)
    listing = build_listing(request, qs, sortable=SORTS, facts=with_row_facts)
    context = {"listing": listing, "path_error": path_error,
               "can_create": allowed(request, "iam:CreateGroup", group_arn("*"))}
    if request.htmx and request.htmx.target == "results":
        return render(request, "console/groups/_table.html", context)
    return render(request, "console/groups/list.html", context)


@console_view("iam:CreateGroup", group_arn("*"))
def group_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = GroupCreateForm(request.POST)
        if form.is_valid():
            try:
                group = iam.create_group(get_caller(request), form.cleaned_data["group_name"],
                                         path=form.cleaned_data["path"] or "/")
            except IAMError as exc:
                form.apply_error(exc)
            else:
                return changed(request, reverse("console:group_detail", args=[group.name]),
                               f"Created group {group.name}.")
    else:
        form = GroupCreateForm()
    return form_page(request, "console/groups/form.html", {"creating": True}, form)


@console_view("iam:GetGroup", group_resource, methods=("GET",))
def group_detail(request: HttpRequest, name: str) -> HttpResponse:
    group, _ = iam.get_group(get_caller(request), name)
    tab = request.GET.get("tab", "users")
    if tab not in dict(TABS):
        tab = "users"
    context = {"group": group, "tab": tab, "tabs": TABS, **tab_context(request, group, tab)}
    context["tab_template"] = f"console/groups/_tab_{tab}.html"
    if request.htmx and request.htmx.target == "tabbed":
        return render(request, "console/_tabbed.html", context)
    return render(request, "console/groups/detail.html", context)


def tab_context(request: HttpRequest, group, tab: str) -> dict:
    if tab == "permissions":
        return permissions_context(request, "group", group)
    caller = get_caller(request)
    _, members = iam.get_group(caller, group.name)
    return {"members": list(members)}


def tab_fragment(request: HttpRequest, name: str, tab: str, notice: str = "") -> HttpResponse:
    group = iam.find_group(name)
    context = {"group": group, "tab": tab, "notice": notice, **tab_context(request, group, tab)}
    return render(request, f"console/groups/_tab_{tab}.html", context)


def _detail_url(name: str, tab: str = "users") -> str:
    return reverse("console:group_detail", args=[name]) + f"?tab={tab}"


@console_view("iam:UpdateGroup", group_resource)
def group_edit(request: HttpRequest, name: str) -> HttpResponse:
    group, _ = iam.get_group(get_caller(request), name)
    if request.method == "POST":
        form = GroupEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                group = iam.update_group(get_caller(request), name,
                                         new_group_name=data["new_group_name"],
                                         new_path=data["new_path"] or None,
                                         revision=data["revision"])
            except IAMError as exc:
                form.apply_error(exc)
            else:
                return changed(request, reverse("console:group_detail", args=[group.name]),
                               f"Saved group {group.name}.")
    else:
        form = GroupEditForm(initial={"new_group_name": group.name, "new_path": group.path,
                                      "revision": group.revision})
    return form_page(request, "console/groups/form.html", {"group": group}, form)


@console_view("iam:DeleteGroup", group_resource)
def group_delete(request: HttpRequest, name: str) -> HttpResponse:
    group = iam.find_group(name)
    error = ""
    if request.method == "POST":
        try:
            iam.delete_group(get_caller(request), name)
        except IAMError as exc:
            if exc.code == "AccessDenied":
                raise
            error = exc.message
        else:
            return changed(request, reverse("console:group_list"), f"Deleted group {name}.")
    template = "console/_confirm_delete.html" if request.htmx else "console/confirm_delete.html"
    return render(request, template, {
        "object_kind": "group", "object_name": group.name, "error": error,
        "action_url": reverse("console:group_delete", args=[name]),
        "cancel_url": reverse("console:group_detail", args=[name]),
        "warning": "Remove the group's users and policies first.",
    }, status=409 if error else 200)


@console_view("iam:AddUserToGroup", group_resource, methods=("POST",))
def group_add_member(request: HttpRequest, name: str) -> HttpResponse:
    form = UserNameForm(request.POST)
    user_name = form.data.get("user_name", "").strip()
    return in_place(
        request, lambda: iam.add_user_to_group(get_caller(request), name, user_name),
        url=_detail_url(name), message=f"Added {user_name} to {name}.",
        fragment=lambda msg: tab_fragment(request, name, "users", msg))


@console_view("iam:RemoveUserFromGroup", group_resource, methods=("POST",))
def group_remove_member(request: HttpRequest, name: str, user: str) -> HttpResponse:
    return in_place(
        request, lambda: iam.remove_user_from_group(get_caller(request), name, user),
        url=_detail_url(name), message=f"Removed {user} from {name}.",
        fragment=lambda msg: tab_fragment(request, name, "users", msg))

