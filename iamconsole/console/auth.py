"""Console authorization: each view names the IAM action and resource ARN it needs (STYLE #4), one
decorator checks it with the policy engine for the signed-in caller, and domain errors become the
console's 403 / 404 pages (never a 500).

Mutations are authorized again inside the domain operations; the declaration here decides who may
see a page or a form at all, and `allowed()` hides or disables what the caller may not do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django_htmx.http import reswap, retarget

from iamconsole.accounts.session import caller_from_request
from iamconsole.iam import authz
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import AccessDenied, NoSuchEntity
from iamconsole.policy import condition_values

Resource = str | Callable[..., str] | None
Contexts = Callable[[HttpRequest, Caller], Iterable[dict | None]]


def get_caller(request: HttpRequest) -> Caller:
    """The Caller for this request, built once (its effective policies are cached on it)."""
    caller = getattr(request, "_iam_caller", None)
    if caller is None:
        caller = caller_from_request(request)
        request._iam_caller = caller
    return caller


def policies_changed(request: HttpRequest) -> None:
    """After a change the caller's own effective policies may differ: gather them again."""
    caller = getattr(request, "_iam_caller", None)
    if caller is not None:
        caller.cache.clear()


def allowed(request: HttpRequest, action: str, resource: str = "*",
            extra: dict | None = None) -> bool:
    """For the UI: may the signed-in caller do `action` on `resource`?"""
    if not request.user.is_authenticated:
        return False
    return authz.is_allowed(get_caller(request), action, resource, extra)


BOUNDARY_KEY = "iam:PermissionsBoundary"


def _depends_on_boundary(decision) -> bool:
    """Did a statement covering the request test iam:PermissionsBoundary (absent from the
    request)? Then the decision depends on the boundary; otherwise it is the same for any."""
    return any(key.lower() == "iam:permissionsboundary" for key in decision.missing_context_values)


def boundary_values(caller: Caller, action: str) -> list[str]:
    """What the caller's policies compare iam:PermissionsBoundary with for `action` (ARNs, or
    ARN patterns, which match themselves): the boundaries a delegated administrator may be
    allowed to use, found without trying every managed policy."""
    if caller.is_root:
        return []
    policies = authz.effective_policies(caller)
    context = authz.request_context(caller)
    values: dict[str, None] = {}
    for group in (policies.identity, policies.boundary, policies.session):
        for value in condition_values(group, action, BOUNDARY_KEY, context):
            values.setdefault(value, None)
    return list(values)


@dataclass(frozen=True)
class BoundaryRule:
    """How the caller's permission to do `action` on `resource` depends on the permissions
    boundary the request names (CreateUser, CreateRole, Put…PermissionsBoundary)."""

    without: bool  # allowed with no boundary
    depends: bool  # False: the decision is the same whatever the boundary (`without`)

    def allows(self, request: HttpRequest, action: str, resource: str, arn: str) -> bool:
        """May the caller use the boundary `arn`? One evaluation, only when it depends on it."""
        if not self.depends:
            return self.without
        return allowed(request, action, resource, {BOUNDARY_KEY: arn})


def boundary_rule(request: HttpRequest, action: str, resource: str) -> BoundaryRule:
    """One evaluation without iam:PermissionsBoundary (see BoundaryRule)."""
    if not request.user.is_authenticated:
        return BoundaryRule(without=False, depends=False)
    decision = authz.decide(get_caller(request), action, resource)
    if decision is None:  # root: allowed everything
        return BoundaryRule(without=True, depends=False)
    return BoundaryRule(without=decision.allowed, depends=_depends_on_boundary(decision))


def may_do_with_some_boundary(request: HttpRequest, action: str, resource: str) -> bool:
    """For buttons (Create user, Set boundary): is `action` allowed, with no permissions
    boundary or with some? One evaluation without iam:PermissionsBoundary; only when that is
    refused by a statement that tests the key (a delegated administrator: "only with the
    boundary X"), the values the caller's policies compare the key with are tried."""
    if not request.user.is_authenticated:
        return False
    caller = get_caller(request)
    decision = authz.decide(caller, action, resource)
    if decision is None or decision.allowed:
        return True
    if not _depends_on_boundary(decision):
        return False
    values = boundary_values(caller, action)
    if not values:  # e.g. a policy variable without a value: the domain decides on submit
        return decision.decision == "implicitDeny"
    return any(authz.is_allowed(caller, action, resource, {BOUNDARY_KEY: value})
               for value in values)


def create_contexts(action: str):
    """console_view `contexts` for a create view: the page is for whoever may create with no
    boundary or with some (the candidates of `boundary_values`); the domain operation then
    authorizes the boundary actually submitted."""

    def contexts(request: HttpRequest, caller: Caller) -> list[dict | None]:
        return [None, *({BOUNDARY_KEY: value} for value in boundary_values(caller, action))]

    return contexts


def require(caller: Caller, action: str, resource: str,
            contexts: Iterable[dict | None] = (None,)) -> None:
    """Pass when any of the candidate request contexts is allowed; otherwise raise AWS's
    AccessDenied for the last one (condition keys such as iam:PermissionsBoundary make the
    decision depend on what the form will send)."""
    candidates = list(contexts) or [None]
    for extra in candidates[:-1]:
        if authz.is_allowed(caller, action, resource, extra):
            authz.record_allowed(caller, action)
            return
    authz.check(caller, action, resource, candidates[-1])


def console_view(action: str | Callable[..., str] | None, resource: Resource = "*", *,
                 contexts: Contexts | None = None,
                 methods: tuple[str, ...] = ("GET", "POST")):
    """Declare the IAM action and resource a console view needs.

    `resource` is an ARN, or a function of (request, **URL keyword arguments) returning the ARN
    (it may raise NoSuchEntity → 404). `contexts(request, caller)` yields candidate values of
    condition keys.
    `action` may be a function of the same arguments when the AWS action depends on the
    object's state (CreateLoginProfile vs UpdateLoginProfile). `action=None` marks a view that
    reads no account data (it only needs a signed-in user).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            try:
                if action is not None:
                    caller = get_caller(request)
                    name = action(request, **kwargs) if callable(action) else action
                    arn = (resource(request, **kwargs) if callable(resource)
                           else (resource or "*"))
                    require(caller, name, arn,
                            contexts(request, caller) if contexts else (None,))
                return view(request, *args, **kwargs)
            except AccessDenied as exc:
                return access_denied_response(request, exc)
            except NoSuchEntity as exc:
                return not_found_response(request, exc)

        wrapper.iam_action = action  # type: ignore[attr-defined]
        wrapper.iam_resource = resource  # type: ignore[attr-defined]
        return wrapper

    return decorator


def _error_response(request: HttpRequest, template: str, context: dict, status: int):
    if getattr(request, "htmx", False):
        # htmx swaps the message into the page's flash region, whatever the form targeted.
        response = render(request, "partials/error.html", context, status=status)
        return reswap(retarget(response, "#flash"), "innerHTML")
    return render(request, template, context, status=status)


def access_denied_response(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
    context = {"title": "Access denied", "code": exc.code, "message": exc.message,
               "action": exc.action, "resource": exc.resource}
    return _error_response(request, "console/403.html", context, 403)


def not_found_response(request: HttpRequest, exc: NoSuchEntity) -> HttpResponse:
    context = {"title": "Not found", "code": exc.code, "message": exc.message}
    return _error_response(request, "console/404.html", context, 404)
