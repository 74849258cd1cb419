"""Console sign-in with an IdP-initiated SAML response (issue #17): thin views over
iam.saml_signin. The identity provider posts the signed SAMLResponse to the Assertion Consumer
Service (`saml_acs`, CSRF-exempt: it comes from the IdP's page, the signed assertion is the
proof); several roles are offered by `saml_choose`, the verified response staying server-side
in the session until one is assumed (which consumes it). The console session then holds the
role session (accounts.session.FEDERATED), as for OIDC sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from iamconsole.iam import saml_signin
from iamconsole.iam.errors import IAMError, InvalidInput, ValidationError

from .session import FEDERATED, client_address

SAML_CHOICE = "accounts.saml_choice"  # the verified SAMLResponse while choosing a role


def _refused(request, message: str, status: int = 403):
    return render(request, "accounts/saml_refused.html", {"message": message}, status=status)


def _error(request, exc: IAMError):
    status = 400 if isinstance(exc, (InvalidInput, ValidationError)) else 403
    return _refused(request, f"SAML sign-in refused: {exc.message}", status)


def _relay(request, value: str) -> str:
    """RelayState only as a local path of this console; else the dashboard."""
    if value and value.startswith("/") and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return "/"


@csrf_exempt
@require_POST
@never_cache
def saml_acs(request):
    try:
        signed_in = saml_signin.read(request.POST.get("SAMLResponse", ""),
                                     client_address(request))
    except IAMError as exc:
        return _error(request, exc)
    relay = _relay(request, request.POST.get("RelayState", ""))
    if not signed_in.pairs:
        saml_signin.refuse_no_role(signed_in, client_address(request))
        return _refused(request, f"The identity provider signed you in as "
                                 f"{signed_in.subject}, but its response names no role of "
                                 "this installation for it. Ask an administrator.")
    if len(signed_in.pairs) == 1:
        return _establish(request, signed_in, signed_in.pairs[0][0], relay)
    request.session[SAML_CHOICE] = {**signed_in.as_dict(), "relay": relay}
    return redirect("accounts:saml_choose")


@require_http_methods(["GET", "POST"])
@csrf_protect
@never_cache
def saml_choose(request):
    choice = request.session.get(SAML_CHOICE)
    if not isinstance(choice, dict):
        return redirect("accounts:login")
    choice = dict(choice)
    relay = choice.pop("relay", "/")
    signed_in = saml_signin.SAMLSignIn(**choice)
    roles = [pair[0] for pair in signed_in.pairs]
    if request.method == "POST":
        role_arn = request.POST.get("role", "")
        if role_arn in roles:
            request.session.pop(SAML_CHOICE, None)
            return _establish(request, signed_in, role_arn, relay)
        messages.error(request, "Choose one of the roles.")
    return render(request, "accounts/federated_choose.html",
                  {"subject": signed_in.subject, "roles": roles,
                   "action": reverse("accounts:saml_choose")})


def _establish(request, signed_in: saml_signin.SAMLSignIn, role_arn: str, relay: str):
    try:
        session = saml_signin.sign_in(signed_in, role_arn, client_address(request))
    except IAMError as exc:
        return _error(request, exc)
    logout(request)  # whoever was signed in here before: a fresh session for this person
    provider = next(p[1] for p in signed_in.pairs if p[0] == role_arn)
    request.session[FEDERATED] = {"key": session.credentials.access_key_id,
                                  "sub": session.subject, "provider": provider}
    messages.success(request, f"Signed in with SAML as {session.subject}, acting as "
                              f"{session.assumed.arn} until "
                              f"{session.credentials.expiration:%Y-%m-%d %H:%M} UTC.")
    return redirect(relay)
