"""Console sign-in through an external OIDC provider (issue #17): thin views over
iam.console_signin. The browser goes to the provider (`federated_start`), comes back with a code
(`federated_callback`), chooses a role when several trust the token (`federated_choose`), and the
console session then holds the role session (accounts.session.FEDERATED), no User."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iamconsole.iam import audit, console_signin, tenancy, web_identity
from iamconsole.iam.errors import IAMError
from iamconsole.iam.services.accounts import resolve_account

from .session import FEDERATED, FEDERATED_CHOICE, FEDERATED_PENDING, client_address

CHOICE_SECONDS = 5 * 60


def sign_in_options(account: str) -> list[console_signin.ConsoleSignInClient]:
    """The "Sign in with <provider>" buttons of the sign-in page for the account named (or the
    installation's default one)."""
    found = resolve_account(account or "")
    return console_signin.enabled_clients(found.id) if found is not None else []


def origins(options: list[console_signin.ConsoleSignInClient]) -> list[str]:
    """The providers' origins, which the sign-in page's CSP form-action must allow (browsers
    apply it to the redirect a form submission is answered with). The authorization endpoint
    is expected at the issuer's origin."""
    return sorted({"https://" + option.provider.name.split("/", 1)[0] for option in options})


def _refuse(request, message: str):
    messages.error(request, message)
    return redirect("accounts:login")


@require_POST
@csrf_protect
@never_cache
def federated_start(request, pk: int):
    client = console_signin.enabled_client(pk)
    if client is None:
        return _refuse(request, "This sign-in is not offered.")
    redirect_uri = request.build_absolute_uri(reverse("accounts:federated_callback"))
    try:
        url, pending = console_signin.begin(client, redirect_uri)
    except IAMError as exc:
        return _refuse(request, f"Sign-in with {client.display_name} is unavailable: "
                                f"{exc.message}")
    request.session[FEDERATED_PENDING] = pending.as_dict()
    return redirect(url)


@require_GET
@never_cache
def federated_callback(request):
    held = request.session.pop(FEDERATED_PENDING, None)
    if not isinstance(held, dict):
        return _refuse(request, "This sign-in was not started here (or took too long). "
                                "Start again.")
    pending = console_signin.Pending(**held)
    if request.GET.get("error"):
        return _refuse(request, "The identity provider refused the sign-in: "
                                f"{request.GET.get('error_description') or request.GET['error']}")
    try:
        signed_in = console_signin.complete(pending, request.GET.get("state", ""),
                                            request.GET.get("code", ""))
        with tenancy.acting_in(signed_in.client.account_id):
            roles = console_signin.roles_for(signed_in)
    except IAMError as exc:
        return _refuse(request, f"Sign-in failed: {exc.message}")
    provider = signed_in.client.provider
    if not roles:
        caller = web_identity.anonymous_caller(client_address(request))
        caller.provider_arn, caller.subject, caller.auth_method = \
            provider.arn, signed_in.subject, "console"
        with tenancy.acting_in(provider.account_id):
            audit.record(caller, web_identity.ACTION, resource_type="oidc_provider",
                         resource_name=provider.name, resource_arn=provider.arn,
                         outcome=audit.DENIED, detail="console sign-in: no role trusts "
                         f"{signed_in.subject}")
        return _refuse(request, f"You signed in at {signed_in.client.display_name} as "
                                f"{signed_in.subject}, but no role of this account trusts "
                                "that identity for console sign-in. Ask an administrator.")
    if len(roles) == 1:
        return _establish(request, signed_in.client, signed_in.id_token, roles[0].arn)
    request.session[FEDERATED_CHOICE] = {
        "client": signed_in.client.pk, "id_token": signed_in.id_token,
        "sub": signed_in.subject, "roles": [role.arn for role in roles]}
    return redirect("accounts:federated_choose")


@require_http_methods(["GET", "POST"])
@csrf_protect
@never_cache
def federated_choose(request):
    choice = request.session.get(FEDERATED_CHOICE)
    if not isinstance(choice, dict):
        return _refuse(request, "Sign in first.")
    if request.method == "POST":
        role_arn = request.POST.get("role", "")
        if role_arn in choice["roles"]:
            client = console_signin.enabled_client(choice["client"])
            if client is None:
                return _refuse(request, "This sign-in is no longer offered.")
            request.session.pop(FEDERATED_CHOICE, None)
            return _establish(request, client, choice["id_token"], role_arn)
        messages.error(request, "Choose one of the roles.")
    return render(request, "accounts/federated_choose.html",
                  {"subject": choice["sub"], "roles": choice["roles"]})


def _establish(request, client, id_token: str, role_arn: str):
    try:
        session = console_signin.sign_in(client, id_token, role_arn, client_address(request))
    except IAMError as exc:
        return _refuse(request, f"Sign-in failed: {exc.message}")
    logout(request)  # whoever was signed in here before: a fresh session for this person
    request.session[FEDERATED] = {"key": session.credentials.access_key_id,
                                  "sub": session.subject, "provider": client.provider.arn}
    messages.success(request, f"Signed in with {client.display_name} as {session.subject}, "
                              f"acting as {session.assumed.arn} until "
                              f"{session.credentials.expiration:%Y-%m-%d %H:%M} UTC.")
    return redirect("/")
