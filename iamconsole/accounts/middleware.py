"""Keeps a session on the sign-in step it has to finish before anything else.

- a signed-in user whose password expired (MaxPasswordAge) or must be reset → password change;
- a signed-in user the account requires to use MFA and who has no device → MFA enrollment;
- a session that passed the password step but not the MFA code → the MFA code page;
- a signed-in user whose password expired under HardExpiry → signed out (an administrator must
  reset the password).

Only that step's pages, sign-out and static files can be reached; other pages redirect there.
The REST API (/api/) also accepts sessions, so it answers 403 JSON instead of redirecting; the
Query API (/aws/) is SigV4 only and is left alone.

SignInThrottleMiddleware (below) answers sign-in attempts beyond the per-address limit.
"""

from __future__ import annotations

import functools
import math
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from iamconsole import failures
from iamconsole.iam import tenancy
from iamconsole.iam.services.mfa import mfa_enrollment_required
from iamconsole.iam.services.passwords import hard_expired, password_change_required

from . import flows
from .session import PENDING_MFA, federated_session, request_account, switched_role

PASSWORD_STEP = "password"
ENROLL_STEP = "enroll"
CODE_STEP = "code"

API_ANSWERS = {
    PASSWORD_STEP: ("PasswordChangeRequired",
                    "Your password must be changed before you can continue. Change it at {url}."),
    ENROLL_STEP: ("MFARequired",
                  "This account requires MFA: set up an MFA device at {url} first."),
    CODE_STEP: ("MFARequired", "Finish signing in: enter your MFA code at {url}."),
}


class SignInStepMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def step_urls(self) -> dict[str, str]:
        return {
            PASSWORD_STEP: reverse("accounts:password_change"),
            ENROLL_STEP: reverse("accounts:mfa_enroll"),
            CODE_STEP: reverse("accounts:login-mfa"),
        }

    @cached_property
    def always_allowed(self) -> tuple[str, ...]:
        return (reverse("accounts:logout"), "/" + settings.STATIC_URL.lstrip("/"), "/aws/")

    def __call__(self, request: HttpRequest):
        if request.path.startswith(self.always_allowed):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_federated", False):  # no password, no MFA device: no step
            return self.get_response(request)
        if user is not None and user.is_authenticated and hard_expired(user):
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "PasswordExpired", "message": flows.HARD_EXPIRED},
                                    status=403)
            messages.error(request, flows.HARD_EXPIRED)
            return self._redirect(request, reverse(settings.LOGIN_URL))
        step = self.required_step(request)
        if step is None:
            return self.get_response(request)
        url = self.step_urls[step]
        allowed = {url}
        if step == CODE_STEP:
            allowed.add(reverse("accounts:login"))
        if request.path in allowed:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            code, message = API_ANSWERS[step]
            return JsonResponse({"code": code, "message": message.format(url=url)}, status=403)
        if request.method == "GET" and step != CODE_STEP:
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return self._redirect(request, url)

    @staticmethod
    def required_step(request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return CODE_STEP if request.session.get(PENDING_MFA) else None
        if password_change_required(user):
            return PASSWORD_STEP
        if mfa_enrollment_required(user):
            return ENROLL_STEP
        return None

    @staticmethod
    def _redirect(request: HttpRequest, url: str):
        if request.headers.get("HX-Request") == "true":  # htmx would swap a redirect in place
            return HttpResponseClientRedirect(url)
        return redirect(url)


# The refusal page carries its own headers: the middleware answers before the clickjacking and
# CSP middlewares. No script, styles from this site only.
THROTTLED_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@functools.lru_cache(maxsize=64)
def _throttled_page(seconds: int, login_url: str) -> str:
    return render_to_string("accounts/throttled.html", {
        "message": flows.throttled_message(seconds), "login_url": login_url})


class SignInThrottleMiddleware:
    """The per-address limit on sign-in attempts (flows.throttle), answered early in the
    middleware list (right after the client address and the security headers): a refused
    attempt costs one counter increment and a ready-made page (429 with Retry-After), no
    session, CSRF check, form, password hash or sign-in page render, so a flood of attempts
    leaves the workers to everyone else."""

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def login_url(self) -> str:
        return reverse("accounts:login")

    def __call__(self, request: HttpRequest):
        if request.method != "POST" or request.path != self.login_url:
            return self.get_response(request)
        try:
            wait = flows.throttle(request.META.get("REMOTE_ADDR") or None)
        except Exception as exc:
            # The counters live in the cache (or the database): without them sign-in fails
            # closed with the same 503 the rest of the console answers.
            dependency = failures.unavailable_dependency(exc)
            if dependency is None:
                raise
            return failures.unavailable_response(request, dependency)
        if wait is None:
            return self.get_response(request)
        seconds = max(1, math.ceil(wait))
        response = HttpResponse(_throttled_page(seconds, self.login_url), status=429,
                                headers=THROTTLED_HEADERS)
        response["Retry-After"] = str(seconds)
        response._has_been_logged = True  # not one "Too Many Requests" log line per flood request
        return response


class TenancyMiddleware:
    """Console sessions act in their account: the signed-in user's, or after "Switch role" the
    role's; a federated sign-in (no User) becomes `request.user` = its FederatedPerson and
    acts in its role's account. Every request starts with no account chosen and ends with
    none (signed API requests choose theirs in iam.authn)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        token = tenancy.activate(None)
        try:
            if not request.user.is_authenticated:
                person = federated_session(request)
                if person is not None:
                    request.user = person
            tenancy.activate(request_account(request))
            request.switched_role = (switched_role(request) if request.user.is_authenticated
                                     else None)
            return self.get_response(request)
        finally:
            tenancy.reset(token)
