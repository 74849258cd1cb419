"""The organization, for its management account (AWS Organizations' console page): the tree of
its root, OUs and accounts with the SCPs and RCPs attached at each level, and the forms that
manage it: create the organization, create / rename / delete OUs, create and move accounts,
attach / detach policies, enable / disable the SCP and RCP policy types.

Every change is one domain operation of `iamconsole.orgs.services`, which decides who may do
it (only the management account; member accounts get AccessDeniedException) and what is valid;
the views parse the form, call it and render its answer."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from iamconsole.iam import arns
from iamconsole.iam.errors import AccessDenied, IAMError
from iamconsole.orgs import services as orgs
from iamconsole.orgs.errors import OrganizationsError
from iamconsole.orgs.models import POLICY_TYPES, RCP, SCP

from ..auth import access_denied_response, allowed, console_view, get_caller
from ..organization_forms import (
    AttachForm,
    CreateAccountForm,
    CreateUnitForm,
    MoveAccountForm,
    OrgForm,
    PolicyTypeForm,
    UnitNameForm,
)
from .common import form_page

TYPE_LABELS = {SCP: "Service control policies", RCP: "Resource control policies"}
TYPE_SHORT = {SCP: "SCP", RCP: "RCP"}
DENIED = "AccessDeniedException"


def refused(request: HttpRequest, exc: IAMError, action: str = "") -> HttpResponse:
    """The domain's AccessDeniedException (a member account, a caller without the
    organizations permission) is the console's Access denied page."""
    if isinstance(exc, AccessDenied):
        return access_denied_response(request, exc)
    denied = AccessDenied(exc.message, action=action, resource="*")
    denied.code = exc.code  # AWS Organizations' AccessDeniedException, as its API answers
    return access_denied_response(request, denied)


def is_denied(exc: IAMError) -> bool:
    return isinstance(exc, AccessDenied) or exc.code == DENIED


def next_url(request: HttpRequest) -> str:
    """Where a tree or policy action returns to: one of the organization's own pages."""
    url = request.POST.get("next") or ""
    if url.startswith("/organization/") and "//" not in url and "\\" not in url:
        return url
    return reverse("console:organization")


def _flatten(node, depth: int = 0, path: str = "") -> list[dict]:
    """Root and OUs in tree order: the choices of "Move to" and "Create OU in"."""
    label = f"{path} / {node.name}" if path else node.name
    rows = [{"id": node.id, "label": label, "depth": depth}]
    for unit in node.units:
        rows += _flatten(unit, depth + 1, label)
    return rows


def tree_context(request: HttpRequest) -> tuple[dict, int]:
    caller = get_caller(request)
    context: dict[str, Any] = {"account": caller.account}
    try:
        org, root = orgs.organization_tree(caller)
    except OrganizationsError as exc:
        context["error"] = exc
        return context, 403 if exc.code == DENIED else 200
    policies: list = []
    for policy_type in root_types(org):
        with suppress(OrganizationsError):  # not allowed to list: no attach selector
            policies += orgs.list_policies(caller, policy_type)
    context.update({
        "org": org, "root": root, "management": org.management_id,
        "containers": _flatten(root), "attachable": policies,
        "policy_types": [{"type": t, "label": TYPE_LABELS[t], "short": TYPE_SHORT[t],
                          "enabled": org.root.enabled(t)} for t in POLICY_TYPES],
        "full_rcp": "p-RCPFullAWSAccess",
        # The forms a caller may not use are hidden; the domain refuses them all the same.
        "can": {name: allowed(request, f"organizations:{action}", resource)
                for name, action, resource in (
                    ("create_ou", "CreateOrganizationalUnit", org.root.arn),
                    ("update_ou", "UpdateOrganizationalUnit", "*"),
                    ("delete_ou", "DeleteOrganizationalUnit", "*"),
                    ("create_account", "CreateAccount", "*"),
                    ("move", "MoveAccount", "*"),
                    ("attach", "AttachPolicy", "*"),
                    ("detach", "DetachPolicy", "*"),
                    ("types", "EnablePolicyType", org.root.arn))},
    })
    return context, 200


def root_types(org) -> list[str]:
    return [t for t in POLICY_TYPES if org.root.enabled(t)]


def tree_page(request: HttpRequest, *, problem: str = "", status: int = 200) -> HttpResponse:
    context, tree_status = tree_context(request)
    context["problem"] = problem
    return render(request, "console/organization/tree.html", context,
                  status=status if status != 200 else tree_status)


@console_view("organizations:DescribeOrganization", "*", methods=("GET",))
def organization_tree(request: HttpRequest) -> HttpResponse:
    return tree_page(request)


def tree_action(request: HttpRequest, form, action: str,
                operation: Callable[[Any], Any], message: Callable[[Any], str]) -> HttpResponse:
    """A tree form: valid input → the domain operation → back to the tree with a message;
    bad input or a domain refusal → the tree with the reason (400), AccessDenied → 403."""
    if not form.is_valid():
        problems = "; ".join(f"{form.fields[name].label or name}: {' '.join(errors)}"
                             if name in form.fields else " ".join(errors)
                             for name, errors in form.errors.items())
        return tree_page(request, problem=problems, status=400)
    try:
        result = operation(form.cleaned_data)
    except IAMError as exc:
        if is_denied(exc):
            return refused(request, exc, action)
        return tree_page(request, problem=f"{exc.code}: {exc.message}", status=exc.status)
    messages.success(request, message(result))
    return redirect(next_url(request))


@require_POST
@console_view("organizations:CreateOrganization", "*", methods=("POST",))
def organization_create(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    return tree_action(request, OrgForm({}),
                       "organizations:CreateOrganization",
                       lambda data: orgs.create_organization(caller),
                       lambda org: f"Created organization {org.id}; this account manages it.")


@require_POST
@console_view("organizations:CreateOrganizationalUnit", "*", methods=("POST",))
def unit_create(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    return tree_action(
        request, CreateUnitForm(request.POST), "organizations:CreateOrganizationalUnit",
        lambda data: orgs.create_organizational_unit(caller, data["parent_id"], data["name"]),
        lambda unit: f"Created OU {unit.name} ({unit.id}).")


@require_POST
@console_view("organizations:UpdateOrganizationalUnit", "*", methods=("POST",))
def unit_rename(request: HttpRequest, ou_id: str) -> HttpResponse:
    caller = get_caller(request)
    return tree_action(
        request, UnitNameForm(request.POST), "organizations:UpdateOrganizationalUnit",
        lambda data: orgs.update_organizational_unit(caller, ou_id, data["name"]),
        lambda unit: f"Renamed OU {unit.id} to {unit.name}.")


@require_POST
@console_view("organizations:DeleteOrganizationalUnit", "*", methods=("POST",))
def unit_delete(request: HttpRequest, ou_id: str) -> HttpResponse:
    caller = get_caller(request)
    return tree_action(
        request, OrgForm({}), "organizations:DeleteOrganizationalUnit",
        lambda data: orgs.delete_organizational_unit(caller, ou_id),
        lambda _: f"Deleted OU {ou_id}.")


@require_POST
@console_view("organizations:MoveAccount", "*", methods=("POST",))
def account_move(request: HttpRequest, account_id: str) -> HttpResponse:
    caller = get_caller(request)
    form = MoveAccountForm(request.POST)
    form.fields["destination_parent_id"].choices = [
        (value, value) for value in [request.POST.get("destination_parent_id", "")] if value]
    return tree_action(
        request, form, "organizations:MoveAccount",
        lambda data: orgs.move_account(caller, account_id, data["source_parent_id"],
                                       data["destination_parent_id"]),
        lambda _: f"Moved account {account_id}.")


@require_POST
@console_view("organizations:AttachPolicy", "*", methods=("POST",))
def policy_attach(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    return tree_action(
        request, AttachForm(request.POST), "organizations:AttachPolicy",
        lambda data: orgs.attach_policy(caller, data["policy_id"], data["target_id"]),
        lambda _: f"Attached {request.POST['policy_id']} to {request.POST['target_id']}.")


@require_POST
@console_view("organizations:DetachPolicy", "*", methods=("POST",))
def policy_detach(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    return tree_action(
        request, AttachForm(request.POST), "organizations:DetachPolicy",
        lambda data: orgs.detach_policy(caller, data["policy_id"], data["target_id"]),
        lambda _: f"Detached {request.POST['policy_id']} from {request.POST['target_id']}.")


@require_POST
@console_view(lambda request, **_: "organizations:DisablePolicyType"
              if request.POST.get("enable") == "false" else "organizations:EnablePolicyType",
              "*", methods=("POST",))
def policy_type_toggle(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    enable = request.POST.get("enable") != "false"

    def toggle(data):
        root = orgs.list_roots(caller)[0]
        change = orgs.enable_policy_type if enable else orgs.disable_policy_type
        return change(caller, root.id, data["policy_type"])

    return tree_action(
        request, PolicyTypeForm(request.POST),
        "organizations:EnablePolicyType" if enable else "organizations:DisablePolicyType",
        toggle, lambda _: f"{'Enabled' if enable else 'Disabled'} "
                          f"{TYPE_SHORT.get(request.POST.get('policy_type'), '')}s.")


@console_view("organizations:CreateAccount", "*")
def account_create(request: HttpRequest) -> HttpResponse:
    """Create a member account (name + email); the answer names the new account and its
    OrganizationAccountAccessRole, with a Switch role link into it."""
    form = CreateAccountForm(request.POST or None)
    context = {"title": "Create account"}
    if request.method == "POST" and form.is_valid():
        caller = get_caller(request)
        try:
            status = orgs.create_account(caller, email=form.cleaned_data["email"],
                                         account_name=form.cleaned_data["account_name"])
        except IAMError as exc:
            if is_denied(exc):
                return refused(request, exc, "organizations:CreateAccount")
            form.apply_error(exc)
        else:
            if status.state == status.FAILED:
                form.add_error("email" if "EMAIL" in status.failure_reason else None,
                               f"CreateAccount failed: {status.failure_reason}")
            else:
                role = orgs.DEFAULT_ROLE_NAME
                return render(request, "console/organization/account_created.html", {
                    "status": status, "account_id": status.account_id, "role": role,
                    "role_arn": arns.entity("role", role, "/", account=status.account_id),
                    "switch_url": f"{reverse('accounts:switch_role')}?account="
                                  f"{status.account_id}&role={role}"})
    return form_page(request, "console/organization/account_form.html", context, form)
