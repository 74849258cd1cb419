"""Bulk actions on the Users, Groups, Roles and Policies lists: the checked rows, one action,
a per-item results summary. The work is the domain's (iam/services/bulk.py): each item checked
by the policy engine for its own resource and audited; the view only reads the form and shows
the outcome. `bulk_form` is the form's context for a list page (its actions and pickers)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from iamconsole.iam import kinds
from iamconsole.iam import services as iam
from iamconsole.iam.errors import AccessDenied, ValidationError
from iamconsole.iam.services import bulk

from .. import pickers
from ..auth import allowed, console_view, get_caller, policies_changed

# What each list's form offers: its checkbox name is the kind's plural ("groups").
DELETE_HELP = {"user": "users without credentials, policies or groups",
               "group": "groups without users or policies",
               "role": "roles without policies or instance profiles",
               "policy": "policies attached to nothing, with one version"}


def bulk_form(request: HttpRequest, kind: kinds.Kind) -> dict | None:
    """The bulk form of `kind`'s list: its actions and the pickers they need (those whose list
    the caller may read), or None when the kind has no bulk actions."""
    actions = bulk.ACTIONS.get(kind.key)
    if actions is None:
        return None
    caller = get_caller(request)
    needs = {action.needs for action in actions.values()}
    form = {"url": reverse(f"console:{kind.key}_bulk"), "field": kind.plural,
            "noun": kind.label_plural.lower(),
            "actions": [(a.key, f"{a.label} ({DELETE_HELP[kind.key]})" if a.key == "delete"
                         else a.label) for a in actions.values()]}
    if "group" in needs and allowed(request, "iam:ListGroups", kinds.GROUP.any_arn()):
        form["group_picker"] = pickers.bulk_group_picker(iam.list_groups(caller,
                                                                         path_prefix=None))
    if "policy" in needs and allowed(request, "iam:ListPolicies", kinds.POLICY.any_arn()):
        form["policy_picker"] = pickers.bulk_policy_picker(
            iam.list_policies(caller, counts=False), kind=kind.key)
    if "identity" in needs:
        form["identity_picker"] = pickers.identity_picker(identity_lists(request))
    return form


def identity_lists(request: HttpRequest) -> dict:
    """kind → the users, groups and roles the caller may list (a policy's attach target)."""
    caller = get_caller(request)
    lists = {}
    for key, spec in kinds.IDENTITIES.items():
        if allowed(request, spec.action(f"List{spec.noun}s"), spec.any_arn()):
            lists[key] = spec.op("list_{noun}s")(caller, path_prefix=None)
    return lists


def _bulk_view(kind: kinds.Kind):
    @require_POST
    @console_view(f"iam:List{kind.label_plural}", kind.any_arn, methods=("POST",))
    def view(request: HttpRequest) -> HttpResponse:
        action = request.POST.get("bulk_action", "")
        back = request.POST.get("next", "")
        if not back.startswith("/") or back.startswith("//"):
            back = reverse(f"console:{kind.key}_list")
        identity_kind, _, identity_name = request.POST.get("identity", "").partition(":")
        target = bulk.Target(group=request.POST.get("group", "").strip(),
                             policy_arn=request.POST.get("policy_arn", "").strip(),
                             identity_kind=identity_kind, identity_name=identity_name.strip())
        try:
            result = bulk.bulk_action(get_caller(request), kind.key, action,
                                      request.POST.getlist(kind.plural), target)
        except ValidationError as exc:
            messages.error(request, exc.message)
            return redirect(back)
        except AccessDenied as exc:  # raised before any item (none today): shown, not a 500
            messages.error(request, exc.message)
            return redirect(back)
        policies_changed(request)
        return render(request, "console/bulk_result.html", {
            "result": result, "label": bulk.ACTIONS[kind.key][action].label, "kind": kind,
            "back": back})

    view.__name__ = f"{kind.key}_bulk"
    return view


user_bulk = _bulk_view(kinds.USER)
group_bulk = _bulk_view(kinds.GROUP)
role_bulk = _bulk_view(kinds.ROLE)
policy_bulk = _bulk_view(kinds.POLICY)
