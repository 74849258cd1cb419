"""Permissions of users, groups and roles, which work alike: attach / detach managed policies,
add / edit / remove inline policies, set / remove a permissions boundary. Each is an htmx action
that re-renders the permissions tab in place (a plain POST redirects back to it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from iamconsole.iam import identifiers as ids
from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError, NoSuchEntity

from .. import pickers
from ..auth import allowed, console_view, get_caller, may_do_with_some_boundary
from ..forms import InlinePolicyForm, PolicyArnForm
from ..pickers import PICKER_LIMIT
from ..summary import summarize
from .common import changed, form_page, in_place, readable


@dataclass(frozen=True)
class Kind:
    key: str  # user | group | role
    noun: str  # User | Group | Role (AWS's action names)
    find: Any
    has_boundary: bool

    def detail_url(self, name: str, tab: str = "permissions") -> str:
        return reverse(f"console:{self.key}_detail", args=[name]) + f"?tab={tab}"

    def url(self, what: str, name: str, *extra: str) -> str:
        return reverse(f"console:{self.key}_{what}", args=[name, *extra])


KINDS = {
    "user": Kind("user", "User", iam.find_user, True),
    "group": Kind("group", "Group", iam.find_group, False),
    "role": Kind("role", "Role", iam.find_role, True),
}


def entity_arn(kind: str):
    """The declared resource of an action on one user / group / role. A missing one is
    authorized on the ARN its name would have under the default path, and only then is 404
    (the view's own lookup): no existence oracle (iam.services.lookup.authorize_missing)."""
    def resource(request: HttpRequest, name: str, **_: Any) -> str:
        try:
            return KINDS[kind].find(name).arn
        except NoSuchEntity:
            return ids.arn(f"{kind}/{name}")
    return resource


def permissions_context(request: HttpRequest, kind: str, entity) -> dict:
    """Everything the permissions tab shows, each read allowed or denied on its own. The
    pickers offer the first PICKER_LIMIT policies by name (a search box finds the others): a
    constant number of queries and of policy evaluations, whatever the number of policies."""
    spec = KINDS[kind]
    caller = get_caller(request)
    name = entity.name
    attached, attached_denied = readable(
        lambda: list(iam.list_attached_policies(caller, kind, name)))
    inline, inline_denied = readable(lambda: list(iam.list_inline_policies(caller, kind, name)))
    policies, policies_denied = readable(lambda: iam.list_policies(caller, counts=False))
    inline_rows = [
        {"policy": p, "edit_url": spec.url("inline_edit", name, p.name),
         "delete_url": spec.url("inline_delete", name, p.name),
         "summary": summarize(p.document)}
        for p in inline or []
    ]
    via_groups = None
    if kind == "user":
        via_groups, _ = readable(lambda: list(
            iam.list_groups_for_user(caller, name)
            .prefetch_related("policy_attachments__policy", "inline_policies")))
    boundary_action = f"iam:Put{spec.noun}PermissionsBoundary"
    can = {
        "simulate": allowed(request, "iam:SimulatePrincipalPolicy", entity.arn),
        "attach": allowed(request, f"iam:Attach{spec.noun}Policy", entity.arn),
        "detach": allowed(request, f"iam:Detach{spec.noun}Policy", entity.arn),
        "put_inline": allowed(request, f"iam:Put{spec.noun}Policy", entity.arn),
        "delete_inline": allowed(request, f"iam:Delete{spec.noun}Policy", entity.arn),
        "put_boundary": spec.has_boundary and may_do_with_some_boundary(
            request, boundary_action, entity.arn),
        "delete_boundary": spec.has_boundary and allowed(
            request, f"iam:Delete{spec.noun}PermissionsBoundary", entity.arn,
            {"iam:PermissionsBoundary": entity.permissions_boundary.arn}
            if getattr(entity, "permissions_boundary_id", None) else None),
    }
    attach_picker = boundary_picker = None
    wants_attach = can["attach"] and attached is not None
    if policies is not None and (wants_attach or can["put_boundary"]):
        # One count and one page of policies serve both pickers.
        attached_list = attached or []
        total = policies.count()
        head = list(policies[:PICKER_LIMIT + len(attached_list)])
        if wants_attach:
            attach_picker = pickers.attach_picker(
                policies, attached_list, kind=kind, name=name,
                total=total - len(attached_list), head=head)
        if can["put_boundary"]:
            boundary_picker = pickers.boundary_picker(
                request, policies, kind=kind, entity=entity, action=boundary_action,
                selected=entity.permissions_boundary, total=total, head=head)
    return {
        "kind": spec, "entity": entity, "attached": attached,
        "attached_denied": attached_denied, "inline_rows": inline_rows,
        "inline_denied": inline_denied, "via_groups": via_groups,
        "attach_picker": attach_picker, "boundary_picker": boundary_picker,
        "policies_denied": policies_denied,
        "urls": {
            "attach": spec.url("attach_policy", name), "detach": spec.url("detach_policy", name),
            "inline_new": spec.url("inline_new", name),
            "boundary": spec.url("boundary", name) if spec.has_boundary else "",
            "boundary_remove": spec.url("boundary_remove", name) if spec.has_boundary else "",
        },
        "can": can,
        "simulator_url": "/simulator/?" + urlencode({"principal": entity.arn}),
    }


def permissions_fragment(request: HttpRequest, kind: str, name: str,
                         notice: str = "") -> HttpResponse:
    entity = KINDS[kind].find(name)
    context = {**permissions_context(request, kind, entity), "notice": notice}
    return render(request, "console/identity/_permissions.html", context)


def _policy_arn_context(request: HttpRequest, caller) -> list[dict | None]:
    arn = request.POST.get("policy_arn")
    return [{"iam:PolicyARN": arn}] if arn else [None]


def _boundary_context(request: HttpRequest, caller) -> list[dict | None]:
    arn = request.POST.get("policy_arn")
    return [{"iam:PermissionsBoundary": arn}] if arn else [None]


def attach_view(kind: str):
    spec = KINDS[kind]

    @console_view(f"iam:Attach{spec.noun}Policy", entity_arn(kind),
                  contexts=_policy_arn_context, methods=("POST",))
    def attach_policy(request: HttpRequest, name: str) -> HttpResponse:
        form = PolicyArnForm(request.POST)
        arn = request.POST.get("policy_arn", "") if form.is_valid() else ""
        return in_place(
            request, lambda: iam.attach_policy(get_caller(request), kind, name, arn),
            url=spec.detail_url(name), message=f"Attached {arn.rsplit('/', 1)[-1]}.",
            fragment=lambda msg: permissions_fragment(request, kind, name, msg))

    return attach_policy


def detach_view(kind: str):
    spec = KINDS[kind]

    @console_view(f"iam:Detach{spec.noun}Policy", entity_arn(kind),
                  contexts=_policy_arn_context, methods=("POST",))
    def detach_policy(request: HttpRequest, name: str) -> HttpResponse:
        arn = request.POST.get("policy_arn", "")
        return in_place(
            request, lambda: iam.detach_policy(get_caller(request), kind, name, arn),
            url=spec.detail_url(name), message=f"Detached {arn.rsplit('/', 1)[-1]}.",
            fragment=lambda msg: permissions_fragment(request, kind, name, msg))

    return detach_policy


def boundary_view(kind: str):
    spec = KINDS[kind]

    @console_view(f"iam:Put{spec.noun}PermissionsBoundary", entity_arn(kind),
                  contexts=_boundary_context, methods=("POST",))
    def put_boundary(request: HttpRequest, name: str) -> HttpResponse:
        arn = request.POST.get("policy_arn", "")
        operation = (iam.put_user_permissions_boundary if kind == "user"
                     else iam.put_role_permissions_boundary)
        return in_place(
            request, lambda: operation(get_caller(request), name, arn),
            url=spec.detail_url(name), message="Permissions boundary set.",
            fragment=lambda msg: permissions_fragment(request, kind, name, msg))

    return put_boundary


def boundary_remove_view(kind: str):
    spec = KINDS[kind]

    def current_boundary(request, caller):
        entity = spec.find(request.resolver_match.kwargs["name"])
        boundary = entity.permissions_boundary
        return [{"iam:PermissionsBoundary": boundary.arn} if boundary else None]

    @console_view(f"iam:Delete{spec.noun}PermissionsBoundary", entity_arn(kind),
                  contexts=current_boundary, methods=("POST",))
    def delete_boundary(request: HttpRequest, name: str) -> HttpResponse:
        operation = (iam.delete_user_permissions_boundary if kind == "user"
                     else iam.delete_role_permissions_boundary)
        return in_place(
            request, lambda: operation(get_caller(request), name),
            url=spec.detail_url(name), message="Permissions boundary removed.",
            fragment=lambda msg: permissions_fragment(request, kind, name, msg))

    return delete_boundary


def inline_edit_view(kind: str):
    """Add (policy_name None) or edit an inline policy in the policy editor."""
    spec = KINDS[kind]

    @console_view(f"iam:Put{spec.noun}Policy", entity_arn(kind))
    def edit_inline_policy(request: HttpRequest, name: str,
                           policy_name: str | None = None) -> HttpResponse:
        caller = get_caller(request)
        entity = spec.find(name)
        initial = {}
        if policy_name is not None:
            existing = iam.get_inline_policy(caller, kind, name, policy_name)
            initial = {"policy_name": existing.name, "policy_document": existing.document}
        if request.method == "POST":
            data = request.POST.copy()
            if policy_name is not None:
                data["policy_name"] = policy_name  # the name of an existing policy is fixed
            form = InlinePolicyForm(data)
            if form.is_valid():
                try:
                    iam.put_inline_policy(caller, kind, name, form.cleaned_data["policy_name"],
                                          form.cleaned_data["policy_document"])
                except IAMError as exc:
                    form.apply_error(exc)
                else:
                    return changed(request, spec.detail_url(name),
                                   f"Saved inline policy {form.cleaned_data['policy_name']}.")
        else:
            form = InlinePolicyForm(initial=initial or None)
        if policy_name is not None:
            form.fields["policy_name"].disabled = True
        return form_page(request, "console/identity/inline_form.html", {
            "kind": spec, "entity": entity, "policy_name": policy_name,
            "back_url": spec.detail_url(name), "doc_kind": "identity",
        }, form)

    return edit_inline_policy


def inline_delete_view(kind: str):
    spec = KINDS[kind]

    @console_view(f"iam:Delete{spec.noun}Policy", entity_arn(kind), methods=("POST",))
    def delete_inline_policy(request: HttpRequest, name: str, policy_name: str) -> HttpResponse:
        return in_place(
            request,
            lambda: iam.delete_inline_policy(get_caller(request), kind, name, policy_name),
            url=spec.detail_url(name), message=f"Deleted inline policy {policy_name}.",
            fragment=lambda msg: permissions_fragment(request, kind, name, msg))

    return delete_inline_policy
