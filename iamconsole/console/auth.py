"""Console authorization: each view names the IAM action and resource ARN it needs (STYLE #4), one
decorator checks it with the policy engine for the signed-in caller, and domain errors become the
console's 403 / 404 pages (never a 500).

Mutations are authorized again inside the domain operations; the declaration here decides who may
see a page or a form at all, and `allowed()` hides or disables what the caller may not do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django_htmx.http import reswap, retarget

from iamconsole.accounts.session import caller_from_request
from iamconsole.iam import authz
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import AccessDenied, NoSuchEntity

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


def boundary_choices(request: HttpRequest, action: str, resource: str) -> list[tuple[str, str]]:
    """The permissions boundaries the caller may create an identity with ("" = none). A
    delegated administrator allowed to create only with a given boundary sees only that one."""
    choices = []
    if allowed(request, action, resource):
        choices.append(("", "No permissions boundary"))
    try:
        policies = list(iam.list_policies(get_caller(request)))
    except AccessDenied:
        policies = []
    for policy in policies:
        if allowed(request, action, resource, {"iam:PermissionsBoundary": policy.arn}):
            choices.append((policy.arn, f"{policy.name} ({policy.arn})"))
    return choices


def create_contexts(action: str, resource: str):
    """console_view `contexts` for a create view: one request context per allowed boundary."""

    def contexts(request: HttpRequest, caller: Caller) -> list[dict | None]:
        return [{"iam:PermissionsBoundary": value or None}
                for value, _ in boundary_choices(request, action, resource)] or [None]

    return contexts


def may_create_with_some_boundary(request: HttpRequest, action: str, resource: str) -> bool:
    """For list pages: is `action` allowed, possibly only with a permissions boundary? One
    evaluation: a statement that needs iam:PermissionsBoundary reports it as a missing key."""
    if not request.user.is_authenticated:
        return False
    decision = authz.decide(get_caller(request), action, resource)
    if decision is None or decision.allowed:
        return True
    return decision.decision == "implicitDeny" and any(
        key.lower() == "iam:permissionsboundary" for key in decision.missing_context_values
    )


def require(caller: Caller, action: str, resource: str,
            contexts: Iterable[dict | None] = (None,)) -> None:
    """Pass when any of the candidate request contexts is allowed; otherwise raise AWS's
    AccessDenied for the last one (condition keys such as iam:PermissionsBoundary make the
    decision depend on what the form will send)."""
    candidates = list(contexts) or [None]
    for extra in candidates[:-1]:
        if authz.is_allowed(caller, action, resource, extra):
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
