"""The policy simulator and the "who can" page. Thin: read the query string, call
`iamconsole.iam.simulation`, render (full page, or the htmx fragment swapped in place).

The simulation is a GET: its URL is the whole simulation (shareable, reloadable), and
``?format=json`` / ``?format=csv`` on the same URL export the results.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from iamconsole.accounts.session import caller_from_request
from iamconsole.iam import authz, simulation
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import AccessDenied, IAMError
from iamconsole.iam.simulation import EvaluationResult
from iamconsole.policy import catalog

from .forms import SimulationForm, WhoCanForm
from .rendering import StatementRenderer, principal_href, statement_label

SIMULATE_ACTIONS = ("iam:SimulatePrincipalPolicy", "iam:SimulateCustomPolicy")


def simulator_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in users only; AccessDenied anywhere below becomes the 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            caller = caller_from_request(request)
            return view(request, caller, *args, **kwargs)
        except (AccessDenied, PermissionDenied) as exc:
            return render(request, "simulator/403.html", {
                "message": getattr(exc, "message", str(exc)),
                "action": getattr(exc, "action", ""),
                "resource": getattr(exc, "resource", ""),
            }, status=403)

    return require_GET(wrapper)


def _may_simulate(caller: Caller) -> None:
    """The page is for callers who may run some simulation (each run is checked again)."""
    if not any(authz.is_allowed(caller, a, "*") for a in SIMULATE_ACTIONS):
        authz.check(caller, SIMULATE_ACTIONS[0], "*")


def _principal_choices(caller: Caller) -> list[tuple[str, list[tuple[str, str]]]]:
    """<optgroup>s of the users, groups and roles the caller may list."""
    out = []
    for label, lister in (("Users", iam.list_users), ("Groups", iam.list_groups),
                          ("Roles", iam.list_roles)):
        try:
            entities = list(lister(caller))
        except AccessDenied:
            continue
        out.append((label, [(e.arn, e.name) for e in entities]))
    return out


# Simulator --------------------------------------------------------------------------------

@simulator_view
def index(request: HttpRequest, caller: Caller) -> HttpResponse:
    _may_simulate(caller)
    form = SimulationForm.from_query(request.GET)
    principal = _gather(caller, form)
    policies = principal.policies if principal else []
    results: list[EvaluationResult] | None = None
    if form.run:
        results = _simulate(caller, form, principal)
    export = request.GET.get("format")
    if export in ("json", "csv"):
        return _export(form, results, export)
    context = {
        "form": form,
        "policies": policies,
        "included": _included_keys(form, policies),
        "context_keys": _context_keys(caller, form, principal),
        "principals": _principal_choices(caller),
        "results": results,
        "rows": _result_rows(results or []),
        "summary": _summary(results or []),
        "query": request.GET.urlencode(),
    }
    template = "simulator/_simulator.html" if request.htmx else "simulator/index.html"
    return render(request, template, context)


def _gather(caller: Caller, form: SimulationForm) -> simulation.PrincipalPolicies | None:
    """The chosen principal and its policies, read once for the whole request: listed as
    checkboxes, run, and asked for their context keys from this one object."""
    if not form.principal:
        return None
    try:
        return simulation.gather_principal(caller, form.principal)
    except AccessDenied:
        raise
    except IAMError as exc:
        form.add_error(exc.field or "policy_source_arn", exc.message)
        return None


def _included_keys(form: SimulationForm, policies: list) -> set[str]:
    if not form.listed:
        return {p.key for p in policies}
    return set(form.included)


def _simulate(caller: Caller, form: SimulationForm,
              principal: simulation.PrincipalPolicies | None) -> list[EvaluationResult] | None:
    form.require()
    if form.errors:
        return None
    try:
        actions = simulation.expand_action_patterns(form.action_patterns)
        common = {
            "resource_arns": form.resource_arns or None,
            "permissions_boundary_policy_input_list": form.boundary_inputs,
            "resource_policy": form.resource_policy.strip() or None,
            "resource_owner": form.resource_owner or None,
            "caller_arn": form.caller_arn or None,
            "context_entries": form.context_entries,
        }
        if form.principal:
            policies = principal.policies if principal else []
            included = _included_keys(form, policies)
            return simulation.simulate_principal_policy(
                caller, principal or form.principal, actions,
                policy_input_list=form.policy_inputs or None,
                policy_exclusion_list=[p.key for p in policies if p.key not in included],
                **common)
        return simulation.simulate_custom_policy(caller, form.policy_inputs, actions, **common)
    except AccessDenied:
        raise
    except IAMError as exc:
        form.add_error(exc.field, exc.message)
        return None


def _context_keys(caller: Caller, form: SimulationForm,
                  principal: simulation.PrincipalPolicies | None) -> list[str]:
    """The context keys the chosen policies reference, offered for the context rows."""
    try:
        if form.principal:
            return simulation.get_context_keys_for_principal_policy(
                caller, principal or form.principal, form.policy_inputs or None)
        if form.policy_inputs:
            return simulation.get_context_keys_for_custom_policy(caller, form.policy_inputs)
    except IAMError:
        pass  # the same problem is reported by the run itself
    return []


def _result_rows(results: list[EvaluationResult]) -> list[dict[str, Any]]:
    statements = StatementRenderer()
    return [{"result": r, "statements": statements(r.matched_statements)} for r in results]


def _summary(results: list[EvaluationResult]) -> dict[str, int]:
    counts = {"allowed": 0, "explicitDeny": 0, "implicitDeny": 0}
    for r in results:
        counts[r.eval_decision] = counts.get(r.eval_decision, 0) + 1
    return counts


def _export(form: SimulationForm, results: list[EvaluationResult] | None,
            fmt: str) -> HttpResponse:
    if results is None:
        errors = form.errors or {"general": ["Add run=1 to the URL to export results."]}
        return JsonResponse({"errors": errors}, status=400)
    if fmt == "json":
        response = JsonResponse({"EvaluationResults": [r.as_dict() for r in results]},
                                json_dumps_params={"indent": 2})
        response["Content-Disposition"] = 'attachment; filename="simulation.json"'
        return response
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["EvalActionName", "EvalResourceName", "EvalDecision", "MatchedStatements",
                     "MissingContextValues", "AllowedByPermissionsBoundary",
                     "AllowedByOrganizations"])
    for r in results:
        writer.writerow([
            r.eval_action_name, r.eval_resource_name, r.eval_decision,
            "; ".join(statement_label(s) for s in r.matched_statements),
            " ".join(r.missing_context_values),
            "" if r.permissions_boundary_decision_detail is None
            else str(r.permissions_boundary_decision_detail).lower(),
            "" if r.organizations_decision_detail is None
            else str(r.organizations_decision_detail).lower(),
        ])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="simulation.csv"'
    return response


@simulator_view
def principal_policies(request: HttpRequest, caller: Caller) -> HttpResponse:
    """htmx: the chosen principal's policies as checkboxes, and the context keys they use."""
    form = SimulationForm.from_query(request.GET)
    principal = _gather(caller, form)
    policies = principal.policies if principal else []
    return render(request, "simulator/_policies.html", {
        "form": form,
        "policies": policies,
        "included": {p.key for p in policies},
        "context_keys": _context_keys(caller, form, principal) if not form.errors else [],
        "oob": True,
    })


@require_GET
def action_options(request: HttpRequest) -> HttpResponse:
    """htmx: a <datalist> of catalog actions for the autocomplete (public catalog data)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    text = request.GET.get("q") or request.GET.get("action_search") \
        or request.GET.get("action") or ""
    names = catalog.search_actions(text, limit=30) if len(text.strip()) >= 1 else []
    return render(request, "simulator/_action_options.html", {"names": names})


# Who can ----------------------------------------------------------------------------------

@simulator_view
def who_can(request: HttpRequest, caller: Caller) -> HttpResponse:
    authz.check(caller, "iam:SimulatePrincipalPolicy", "*")
    form = WhoCanForm.from_query(request.GET)
    rows = None
    if form.run:
        if not form.action:
            form.add_error("action_names", "Enter an action, for example s3:GetObject.")
        else:
            try:
                rows = simulation.who_can(caller, form.action, form.resource or "*",
                                          form.context_entries)
            except AccessDenied:
                raise
            except IAMError as exc:
                form.add_error(exc.field, exc.message)
    if rows is not None and request.GET.get("format") == "json":
        return JsonResponse({"Principals": [
            {"PrincipalType": r.principal_type, "Name": r.name, "Arn": r.arn,
             "MatchedStatements": [s.as_dict() for s in r.matched_statements]}
            for r in rows]}, json_dumps_params={"indent": 2})
    statements = StatementRenderer()
    context = {
        "form": form,
        "rows": [{"row": r, "href": principal_href(r.principal_type, r.name),
                  "statements": statements(r.matched_statements)} for r in rows or []],
        "ran": rows is not None,
        "query": request.GET.urlencode(),
    }
    template = "simulator/_who_can.html" if request.htmx else "simulator/who_can.html"
    return render(request, template, context)
