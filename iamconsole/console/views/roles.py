"""Roles: list, detail with tabs (permissions, trust relationships, tags), create, edit, the trust
policy editor, delete, tags."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError, ValidationError
from iamconsole.iam.models import RoleInlinePolicy, RolePolicyAttachment
from iamconsole.iam.services.roles import role_arn

from .. import pickers
from ..auth import (
    console_view,
    create_contexts,
    get_caller,
    may_do_with_some_boundary,
)
from ..forms import RoleCreateForm, RoleEditForm, TagForm, TrustPolicyForm
from ..listing import build_listing
from ..summary import summarize
from .common import changed, failed, form_page, in_place, readable
from .identity import entity_arn, permissions_context

TABS = [("permissions", "Permissions"), ("trust", "Trust relationships"), ("tags", "Tags")]
SORTS = {"name": "name", "path": "path", "created": "created_at", "policies": "policy_count",
         "last_used": "last_used_at"}

role_resource = entity_arn("role")


def with_row_facts(qs):
    return qs.annotate(policy_count=iam.related_count(RolePolicyAttachment, "role")
                       + iam.related_count(RoleInlinePolicy, "role"))


@console_view("iam:ListRoles", role_arn("*"), methods=("GET",))
def role_list(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    path_error = ""
    try:
        qs = iam.list_roles(caller, path_prefix=request.GET.get("path") or "/")
    except ValidationError as exc:
        path_error, qs = exc.message, iam.list_roles(caller)
    listing = build_listing(request, qs, sortable=SORTS, tags=True,
                            search_fields=("name", "description"), facts=with_row_facts)
    context = {"listing": listing, "path_error": path_error,
               "can_create": may_do_with_some_boundary(request, "iam:CreateRole",
                                                       role_arn("*"))}
    if request.htmx and request.htmx.target == "results":
        return render(request, "console/roles/_table.html", context)
    return render(request, "console/roles/list.html", context)


def _boundary_picker(request: HttpRequest) -> pickers.Picker:
    policies, _ = readable(lambda: iam.list_policies(get_caller(request), counts=False))
    return pickers.create_boundary_picker(
        request, policies, kind="role", action="iam:CreateRole", resource=role_arn("*"),
        keep=request.POST.get("permissions_boundary", ""))


@console_view("iam:CreateRole", role_arn("*"),
              contexts=create_contexts("iam:CreateRole"))
def role_create(request: HttpRequest) -> HttpResponse:
    picker = _boundary_picker(request)
    if request.method == "POST":
        form = RoleCreateForm(request.POST, boundary_picker=picker,
                              find_policy=pickers.find_policy)
        if form.is_valid():
            data = form.cleaned_data
            try:
                role = iam.create_role(
                    get_caller(request), data["role_name"], data["assume_role_policy_document"],
                    path=data["path"] or "/", description=data["description"],
                    max_session_duration=data["max_session_duration"],
                    permissions_boundary=data["permissions_boundary"] or None,
                    tags=data["tags"] or None)
            except IAMError as exc:
                form.apply_error(exc)
            else:
                return changed(request, reverse("console:role_detail", args=[role.name]),
                               f"Created role {role.name}.")
    else:
        form = RoleCreateForm(boundary_picker=picker, find_policy=pickers.find_policy,
                              initial={"permissions_boundary": picker.options[0].value
                                       if picker.options else ""})
    return form_page(request, "console/roles/form.html", {"creating": True}, form)


@console_view("iam:GetRole", role_resource, methods=("GET",))
def role_detail(request: HttpRequest, name: str) -> HttpResponse:
    role = iam.get_role(get_caller(request), name)
    tab = request.GET.get("tab", "permissions")
    if tab not in dict(TABS):
        tab = "permissions"
    context = {"role": role, "tab": tab, "tabs": TABS, **tab_context(request, role, tab)}
    context["tab_template"] = f"console/roles/_tab_{tab}.html"
    if request.htmx and request.htmx.target == "tabbed":
        return render(request, "console/_tabbed.html", context)
    return render(request, "console/roles/detail.html", context)


def tab_context(request: HttpRequest, role, tab: str) -> dict:
    if tab == "permissions":
        return permissions_context(request, "role", role)
    if tab == "trust":
        return {"trust_summary": summarize(role.assume_role_policy_document, "trust")}
    return {}


def tab_fragment(request: HttpRequest, name: str, tab: str, notice: str = "") -> HttpResponse:
    role = iam.find_role(name)
    context = {"role": role, "tab": tab, "notice": notice, **tab_context(request, role, tab)}
    return render(request, f"console/roles/_tab_{tab}.html", context)


def _detail_url(name: str, tab: str = "permissions") -> str:
    return reverse("console:role_detail", args=[name]) + f"?tab={tab}"


@console_view("iam:UpdateRole", role_resource)
def role_edit(request: HttpRequest, name: str) -> HttpResponse:
    role = iam.get_role(get_caller(request), name)
    if request.method == "POST":
        form = RoleEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                role = iam.update_role(get_caller(request), name,
                                       description=data["description"],
                                       max_session_duration=data["max_session_duration"],
                                       revision=data["revision"])
            except IAMError as exc:
                form.apply_error(exc)
            else:
                return changed(request, _detail_url(role.name), f"Saved role {role.name}.")
    else:
        form = RoleEditForm(initial={"description": role.description,
                                     "max_session_duration": role.max_session_duration,
                                     "revision": role.revision})
    return form_page(request, "console/roles/form.html", {"role": role}, form)


@console_view("iam:UpdateAssumeRolePolicy", role_resource)
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
                return changed(request, _detail_url(name, "trust"), "Trust policy saved.")
    else:
        form = TrustPolicyForm(initial={"policy_document": role.assume_role_policy_document,
                                        "revision": role.revision})
    return form_page(request, "console/roles/trust_form.html",
                     {"role": role, "doc_kind": "trust"}, form)


@console_view("iam:DeleteRole", role_resource)
def role_delete(request: HttpRequest, name: str) -> HttpResponse:
    role = iam.find_role(name)
    error = ""
    if request.method == "POST":
        try:
            iam.delete_role(get_caller(request), name)
        except IAMError as exc:
            if exc.code == "AccessDenied":
                raise
            error = exc.message
        else:
            return changed(request, reverse("console:role_list"), f"Deleted role {name}.")
    template = "console/_confirm_delete.html" if request.htmx else "console/confirm_delete.html"
    return render(request, template, {
        "object_kind": "role", "object_name": role.name, "error": error,
        "action_url": reverse("console:role_delete", args=[name]),
        "cancel_url": reverse("console:role_detail", args=[name]),
        "warning": "Detach and delete the role's policies first.",
    }, status=409 if error else 200)


def _tag_context(request, caller):
    key = request.POST.get("key", "")
    return [{"aws:TagKeys": [key], f"aws:RequestTag/{key}": request.POST.get("value", "")}]


@console_view("iam:TagRole", role_resource, contexts=_tag_context, methods=("POST",))
def role_tag(request: HttpRequest, name: str) -> HttpResponse:
    form = TagForm(request.POST)
    if not form.is_valid():
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        return failed(request, ValidationError(message), _detail_url(name, "tags"))
    key, value = form.cleaned_data["key"], form.cleaned_data["value"]
    return in_place(
        request, lambda: iam.tag_role(get_caller(request), name, {key: value}),
        url=_detail_url(name, "tags"), message=f"Tag {key} saved.",
        fragment=lambda msg: tab_fragment(request, name, "tags", msg))


@console_view("iam:UntagRole", role_resource, methods=("POST",))
def role_untag(request: HttpRequest, name: str) -> HttpResponse:
    key = request.POST.get("key", "")
    return in_place(
        request, lambda: iam.untag_role(get_caller(request), name, [key]),
        url=_detail_url(name, "tags"), message=f"Tag {key} removed.",
        fragment=lambda msg: tab_fragment(request, name, "tags", msg))
