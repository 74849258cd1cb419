"""Permissions of users, groups and roles, which work alike: attach / detach managed policies,
add / edit / remove inline policies, set / remove a permissions boundary. Each is an htmx action
that re-renders the permissions tab in place (a plain POST redirects back to it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from iamconsole.iam import kinds
from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError, NoSuchEntity
from iamconsole.iam.kinds import Kind

from .. import pickers
from ..auth import allowed, console_view, get_caller, may_do_with_some_boundary
from ..forms import InlinePolicyForm
from ..pickers import PICKER_LIMIT
from ..summary import summarize
from .common import changed, form_page, in_place, readable

# The identities (users, groups, roles) by key; console/views/pickers.py reads it.
KINDS = kinds.IDENTITIES


def url(kind: Kind, what: str, name: str, *extra: str) -> str:
    return reverse(f"console:{kind.key}_{what}", args=[name, *extra])


def detail_url(kind: Kind, name: str, tab: str = "permissions") -> str:
    return url(kind, "detail", name) + f"?tab={tab}"


def entity_arn(kind: str):
    """The declared resource of an action on one user / group / role. A missing one is
    authorized on the ARN its name would have under the default path, and only then is 404
    (the view's own lookup): no existence oracle (iam.services.lookup.authorize_missing)."""
    spec = kinds.get(kind)

    def resource(request: HttpRequest, name: str, **_: Any) -> str:
        try:
            return spec.find(name).arn
        except NoSuchEntity:
            return spec.arn(name)
    return resource


def permissions_context(request: HttpRequest, kind: str, entity) -> dict:
    """Everything the permissions tab shows, each read allowed or denied on its own. The
    pickers offer the first PICKER_LIMIT policies by name (a search box finds the others): a
    constant number of queries and of policy evaluations, whatever the number of policies."""
    spec = kinds.get(kind)
    caller = get_caller(request)
    name = entity.name
    attached, attached_denied = readable(
        lambda: list(iam.list_attached_policies(caller, kind, name)))
    inline, inline_denied = readable(lambda: list(iam.list_inline_policies(caller, kind, name)))
    policies, policies_denied = readable(lambda: iam.list_policies(caller, counts=False))
    inline_rows = [
        {"policy": p, "edit_url": url(spec, "inline_edit", name, p.name),
         "delete_url": url(spec, "inline_delete", name, p.name),
         "summary": summarize(p.document)}
        for p in inline or []
    ]
    via_groups = None
    if kind == "user":
        via_groups, _ = readable(lambda: list(
            iam.list_groups_for_user(caller, name)
            .prefetch_related("policy_attachments__policy", "inline_policies")))
    boundary_action = spec.action("Put{noun}PermissionsBoundary")
    can = {
        "simulate": allowed(request, "iam:SimulatePrincipalPolicy", entity.arn),
        "attach": allowed(request, spec.action("Attach{noun}Policy"), entity.arn),
        "detach": allowed(request, spec.action("Detach{noun}Policy"), entity.arn),
        "put_inline": allowed(request, spec.action("Put{noun}Policy"), entity.arn),
        "delete_inline": allowed(request, spec.action("Delete{noun}Policy"), entity.arn),
        "put_boundary": spec.has_boundary and may_do_with_some_boundary(
            request, boundary_action, entity.arn),
        "delete_boundary": spec.has_boundary and allowed(
            request, spec.action("Delete{noun}PermissionsBoundary"), entity.arn,
            {"iam:PermissionsBoundary": entity.permissions_boundary.arn}
            if getattr(entity, "permissions_boundary_id", None) else None),
    }
    if getattr(entity, "is_service_linked", False):  # its service's: UnmodifiableEntity
        can.update(dict.fromkeys(("attach", "detach", "put_inline", "delete_inline",
                                  "put_boundary", "delete_boundary"), False))
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
            "attach": url(spec, "attach_policy", name),
            "detach": url(spec, "detach_policy", name),
            "inline_new": url(spec, "inline_new", name),
            "boundary": url(spec, "boundary", name) if spec.has_boundary else "",
            "boundary_remove": url(spec, "boundary_remove", name) if spec.has_boundary else "",
        },
        "can": can,
        "simulator_url": reverse("simulator:index") + "?" + urlencode({"principal": entity.arn}),
    }


def permissions_fragment(request: HttpRequest, kind: str, name: str,
                         notice: str = "") -> HttpResponse:
    entity = kinds.get(kind).find(name)
    context = {**permissions_context(request, kind, entity), "notice": notice}
    return render(request, "console/identity/_permissions.html", context)


def _policy_arn_context(request: HttpRequest, caller) -> list[dict | None]:
    """The view is open when one of the posted policies may be (the domain checks each)."""
    arns = [arn for arn in request.POST.getlist("policy_arn") if arn]
    return [{"iam:PolicyARN": arn} for arn in arns] or [None]


def _boundary_context(request: HttpRequest, caller) -> list[dict | None]:
    arn = request.POST.get("policy_arn")
    return [{"iam:PermissionsBoundary": arn}] if arn else [None]


def _posted_arn(request: HttpRequest) -> str:
    return request.POST.get("policy_arn", "")


def _posted_arns(request: HttpRequest) -> list[str]:
    """The policies chosen to attach (a multi-select; the domain reports a malformed one)."""
    return [arn.strip() for arn in request.POST.getlist("policy_arn") if arn.strip()]


def _attached_message(request: HttpRequest) -> str:
    names = [_policy_name(arn) for arn in dict.fromkeys(_posted_arns(request))]
    return f"Attached {', '.join(names)}." if names else "Attached nothing."


def _policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _current_boundary(kind: Kind):
    def contexts(request: HttpRequest, caller) -> list[dict | None]:
        boundary = kind.find(request.resolver_match.kwargs["name"]).permissions_boundary
        return [{"iam:PermissionsBoundary": boundary.arn} if boundary else None]
    return contexts


def _permission_view(kind: str, template: str, run: Callable[..., Any],
                     message: Callable[..., str], contexts: Callable[[Kind], Any]):
    """An htmx action on the permissions of one user / group / role: run the domain operation
    `run(caller, kind, name, request, **url kwargs)`, re-render the permissions tab."""
    spec = kinds.get(kind)

    @console_view(spec.action(template), entity_arn(kind), contexts=contexts(spec),
                  methods=("POST",))
    def permission_action(request: HttpRequest, name: str, **kwargs: str) -> HttpResponse:
        return in_place(
            request, lambda: run(get_caller(request), spec, name, request, **kwargs),
            url=detail_url(spec, name), message=message(request, **kwargs),
            fragment=lambda msg: permissions_fragment(request, kind, name, msg))

    return permission_action


# Each: the AWS operation (authorized on the entity), the domain call, its message, and (of the
# kind) the condition keys of the request.
PERMISSION_ACTIONS: dict[str, tuple[str, Callable[..., Any], Callable[..., str], Any]] = {
    "attach": ("Attach{noun}Policy",
               lambda caller, kind, name, request: iam.attach_policies(
                   caller, kind.key, name, _posted_arns(request)),
               _attached_message, lambda kind: _policy_arn_context),
    "detach": ("Detach{noun}Policy",
               lambda caller, kind, name, request: iam.detach_policy(
                   caller, kind.key, name, _posted_arn(request)),
               lambda request: f"Detached {_policy_name(_posted_arn(request))}.",
               lambda kind: _policy_arn_context),
    "boundary": ("Put{noun}PermissionsBoundary",
                 lambda caller, kind, name, request: kind.op("Put{noun}PermissionsBoundary")(
                     caller, name, _posted_arn(request)),
                 lambda request: "Permissions boundary set.", lambda kind: _boundary_context),
    "boundary_remove": ("Delete{noun}PermissionsBoundary",
                        lambda caller, kind, name, request: kind.op(
                            "Delete{noun}PermissionsBoundary")(caller, name),
                        lambda request: "Permissions boundary removed.", _current_boundary),
    "inline_delete": ("Delete{noun}Policy",
                      lambda caller, kind, name, request, policy_name: iam.delete_inline_policy(
                          caller, kind.key, name, policy_name),
                      lambda request, policy_name: f"Deleted inline policy {policy_name}.",
                      lambda kind: None),
}


def permission_view(kind: str, what: str):
    template, run, message, contexts = PERMISSION_ACTIONS[what]
    return _permission_view(kind, template, run, message, contexts)


def inline_edit_view(kind: str):
    """Add (policy_name None) or edit an inline policy in the policy editor."""
    spec = kinds.get(kind)

    @console_view(spec.action("Put{noun}Policy"), entity_arn(kind))
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
                    return changed(request, detail_url(spec, name),
                                   f"Saved inline policy {form.cleaned_data['policy_name']}.")
        else:
            form = InlinePolicyForm(initial=initial or None)
        if policy_name is not None:
            form.fields["policy_name"].disabled = True
        return form_page(request, "console/identity/inline_form.html", {
            "kind": spec, "entity": entity, "policy_name": policy_name,
            "back_url": detail_url(spec, name), "doc_kind": "identity",
        }, form)

    return edit_inline_policy


def urls(kind: Kind, one: str) -> list:
    """The permission routes of an identity kind; `one` is its entity's URL ("users/<name>")."""
    key = kind.key
    routes = [
        path(f"{one}/policies/attach/", permission_view(key, "attach"),
             name=f"{key}_attach_policy"),
        path(f"{one}/policies/detach/", permission_view(key, "detach"),
             name=f"{key}_detach_policy"),
        path(f"{one}/inline/new/", inline_edit_view(key), name=f"{key}_inline_new"),
        path(f"{one}/inline/<str:policy_name>/edit/", inline_edit_view(key),
             name=f"{key}_inline_edit"),
        path(f"{one}/inline/<str:policy_name>/delete/", permission_view(key, "inline_delete"),
             name=f"{key}_inline_delete"),
    ]
    if kind.has_boundary:
        routes += [
            path(f"{one}/boundary/", permission_view(key, "boundary"), name=f"{key}_boundary"),
            path(f"{one}/boundary/remove/", permission_view(key, "boundary_remove"),
                 name=f"{key}_boundary_remove"),
        ]
    return routes
