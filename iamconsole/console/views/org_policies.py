"""SCPs and RCPs of the organization: list by type, create and edit in the policy editor
(live validation with the grammar of the type, POST /policies/validate/ kind scp | rcp), delete
(refused while attached: PolicyInUseException), attach to and detach from the root, OUs and
accounts. Each change is one domain operation of `iamconsole.orgs.services`."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from iamconsole.iam.errors import IAMError
from iamconsole.orgs import services as orgs
from iamconsole.orgs.errors import OrganizationsError
from iamconsole.orgs.models import POLICY_TYPES, RCP, SCP

from ..auth import console_view, get_caller
from ..organization_forms import OrgPolicyForm
from .common import changed, form_page
from .organization import TYPE_LABELS, TYPE_SHORT, _flatten, is_denied, refused

TYPES_BY_SHORT = {"scp": SCP, "rcp": RCP}


def policy_type_of(request: HttpRequest) -> str:
    value = request.GET.get("type", "scp").lower()
    return TYPES_BY_SHORT.get(value, value.upper() if value.upper() in POLICY_TYPES else SCP)


def detail_url(policy) -> str:
    return reverse("console:org_policy_detail", args=[policy.id])


def list_url(policy_type: str) -> str:
    return f"{reverse('console:org_policy_list')}?type={TYPE_SHORT[policy_type].lower()}"


def _denied_or_none(request: HttpRequest, exc: OrganizationsError, action: str):
    return refused(request, exc, action) if is_denied(exc) else None


@console_view("organizations:ListPolicies", "*", methods=("GET",))
def policy_list(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    policy_type = policy_type_of(request)
    context = {"policy_type": policy_type, "short": TYPE_SHORT[policy_type],
               "types": [(TYPE_SHORT[t].lower(), TYPE_LABELS[t], t == policy_type)
                         for t in POLICY_TYPES],
               "label": TYPE_LABELS[policy_type]}
    try:
        context["policies"] = orgs.list_policies(caller, policy_type)
        org = orgs.describe_organization(caller)
        context["enabled"] = org.root.enabled(policy_type)
    except OrganizationsError as exc:
        if is_denied(exc):
            return refused(request, exc, "organizations:ListPolicies")
        context["error"] = exc
    return render(request, "console/organization/policy_list.html", context)


@console_view("organizations:CreatePolicy", "*")
def policy_create(request: HttpRequest) -> HttpResponse:
    policy_type = policy_type_of(request)
    form = OrgPolicyForm(request.POST or None, policy_type=policy_type)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            policy = orgs.create_policy(get_caller(request), content=data["policy_document"],
                                        description=data["description"], name=data["name"],
                                        type=policy_type)
        except IAMError as exc:
            if is_denied(exc):
                return refused(request, exc, "organizations:CreatePolicy")
            form.apply_error(exc)
        else:
            return changed(request, detail_url(policy), f"Created {TYPE_SHORT[policy_type]} "
                                                        f"{policy.name} ({policy.id}).")
    return form_page(request, "console/organization/policy_form.html", {
        "creating": True, "policy_type": policy_type, "short": TYPE_SHORT[policy_type],
        "cancel_url": list_url(policy_type)}, form)


def _targets_context(caller, policy) -> dict:
    """The policy's targets and the root / OUs / accounts it may still be attached to."""
    targets = orgs.list_targets_for_policy(caller, policy.id)
    attached = {target.id for target in targets}
    _org, root = orgs.organization_tree(caller)
    choices = [(row["id"], row["label"]) for row in _flatten(root)]

    def accounts(node):
        for member, _policies in node.accounts:
            yield member.account_id, f"Account {member.account.name} ({member.account_id})"
        for unit in node.units:
            yield from accounts(unit)

    choices += list(accounts(root))
    return {"targets": targets,
            "attach_choices": [(id_, label) for id_, label in choices if id_ not in attached]}


@console_view("organizations:DescribePolicy", "*", methods=("GET",))
def policy_detail(request: HttpRequest, policy_id: str) -> HttpResponse:
    return detail_page(request, policy_id)


def detail_page(request: HttpRequest, policy_id: str, *, problem: str = "",
                status: int = 200) -> HttpResponse:
    caller = get_caller(request)
    try:
        policy = orgs.describe_policy(caller, policy_id)
        context = {"policy": policy, "short": TYPE_SHORT[policy.type],
                   "list_url": list_url(policy.type), "problem": problem,
                   "detachable": policy.id != "p-RCPFullAWSAccess",
                   **_targets_context(caller, policy)}
    except OrganizationsError as exc:
        if is_denied(exc):
            return refused(request, exc, "organizations:DescribePolicy")
        context = {"error": exc}
        status = 404 if exc.code == "PolicyNotFoundException" else 400
    return render(request, "console/organization/policy_detail.html", context, status=status)


@console_view("organizations:UpdatePolicy", "*")
def policy_edit(request: HttpRequest, policy_id: str) -> HttpResponse:
    caller = get_caller(request)
    try:
        policy = orgs.describe_policy(caller, policy_id)
    except OrganizationsError as exc:
        if is_denied(exc):
            return refused(request, exc, "organizations:UpdatePolicy")
        return detail_page(request, policy_id)
    form = OrgPolicyForm(request.POST or None, policy_type=policy.type, initial={
        "name": policy.name, "description": policy.description,
        "policy_document": policy.content})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            policy = orgs.update_policy(caller, policy.id, name=data["name"],
                                        description=data["description"],
                                        content=data["policy_document"])
        except IAMError as exc:
            if is_denied(exc):
                return refused(request, exc, "organizations:UpdatePolicy")
            form.apply_error(exc)
        else:
            return changed(request, detail_url(policy), f"Saved {policy.name}.")
    return form_page(request, "console/organization/policy_form.html", {
        "creating": False, "policy": policy, "policy_type": policy.type,
        "short": TYPE_SHORT[policy.type], "cancel_url": detail_url(policy)}, form)


@require_POST
@console_view("organizations:DeletePolicy", "*", methods=("POST",))
def policy_delete(request: HttpRequest, policy_id: str) -> HttpResponse:
    caller = get_caller(request)
    try:
        policy = orgs.describe_policy(caller, policy_id)
        orgs.delete_policy(caller, policy_id)
    except OrganizationsError as exc:
        if is_denied(exc):
            return refused(request, exc, "organizations:DeletePolicy")
        return detail_page(request, policy_id, problem=f"{exc.code}: {exc.message}",
                             status=exc.status)
    messages.success(request, f"Deleted {policy.name} ({policy.id}).")
    return redirect(list_url(policy.type))
