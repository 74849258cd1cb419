"""Sign-in, sign-out, password change, MFA enrollment and resync, account password policy.

Thin views: parse the form, call one flow function (iamconsole.accounts.flows) or domain
operation, render. Errors from the domain carry a field name and become form errors.
"""

from __future__ import annotations

import contextlib
import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from iamconsole.iam import authn, clock, tenancy
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import AccessDenied, IAMError, NoSuchEntity
from iamconsole.iam.services import mfa, passwords

from . import federated, flows
from .forms import (
    AccountSettingsForm,
    DeviceNameForm,
    LoginForm,
    MFACodeForm,
    PasswordChangeForm,
    PasswordPolicyForm,
    SwitchRoleForm,
    TwoCodesForm,
)
from .session import (
    ENROLL_SERIAL,
    PENDING_MFA,
    PENDING_MFA_SECONDS,
    SWITCHED_ROLE,
    caller_from_request,
    client_address,
    mark_mfa_authenticated,
    mfa_authenticated_at,
)

BACKEND = "iamconsole.iam.backends.AccountUserBackend"


def default_destination() -> str:
    try:
        return reverse(settings.LOGIN_REDIRECT_URL)
    except NoReverseMatch:  # the console is not wired (yet)
        return "/"


def _next_url(request, value: str | None = None) -> str:
    target = value if value is not None else (request.POST.get("next") or
                                              request.GET.get("next") or "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default_destination()


def _form_error(form, exc: IAMError, field_map: dict[str, str] | None = None) -> None:
    field = (field_map or {}).get(exc.field or "") if exc.field else None
    form.add_error(field if field in form.fields else None, exc.message)


def denied(request, exc: AccessDenied):
    return render(request, "accounts/denied.html", {"error": exc}, status=403)


def user_only(view):
    """A page of an IAM user's own (password, MFA device, switch role): a federated sign-in has
    no user, so it is sent to the dashboard with a word of why."""
    @functools.wraps(view)
    def page(request, *args, **kwargs):
        if getattr(request.user, "is_federated", False):
            messages.info(request, "You signed in through an identity provider as a role: "
                                   "there is no IAM user's password, MFA device or role "
                                   "switch here.")
            return redirect(default_destination())
        return view(request, *args, **kwargs)
    return page


def signed_in_page(view):
    """A page of the signed-in user (GET shows it, POST acts; never cached): a domain operation
    that denies the user answers with the 403 page."""
    @login_required
    @never_cache
    @require_http_methods(["GET", "POST"])
    @functools.wraps(view)
    def page(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AccessDenied as exc:
            return denied(request, exc)
    return page


CODE_FIELDS = {"authenticationCode1": "code1", "authenticationCode2": "code2"}


def _two_codes(operation, caller, serial_number: str, form) -> IAMError | None:
    """EnableMFADevice or ResyncMFADevice (`operation`) of the signed-in user's device with the
    form's two consecutive codes: None when accepted, else the error, put on the form (a
    denial propagates: the 403 page)."""
    try:
        operation(caller, caller.user.name, serial_number, form.cleaned_data["code1"],
                  form.cleaned_data["code2"])
    except AccessDenied:
        raise
    except IAMError as exc:
        _form_error(form, exc, CODE_FIELDS)
        return exc
    return None


# --- sign-in -----------------------------------------------------------------------------

@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    """Attempts beyond the per-address limit never get here (SignInThrottleMiddleware)."""
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    # A sign-in link may name the account (AWS: https://<alias>.signin.aws.amazon.com/console).
    form = LoginForm(request.POST or None, initial={"account": request.GET.get("account", "")})
    if request.method == "POST" and form.is_valid():
        request.session.pop(PENDING_MFA, None)
        outcome = flows.password_step(request, form.cleaned_data["username"],
                                      form.cleaned_data["password"],
                                      form.cleaned_data["account"])
        if outcome.status == "signed_in":
            login(request, outcome.user, backend=BACKEND)
            return redirect(_next_url(request))
        if outcome.status == "mfa_required":
            request.session.cycle_key()  # a planted session id must not carry the MFA step
            request.session[PENDING_MFA] = {
                "user_id": outcome.user.pk,
                "at": clock.now().timestamp(),
                "next": _next_url(request),
            }
            return redirect("accounts:login_mfa")
        form.add_error(None, outcome.message)
    options = federated.sign_in_options(request.GET.get("account", ""))
    response = render(request, "accounts/login.html",
                      {"form": form, "next": request.GET.get("next", ""), "federated": options})
    if options:  # "Sign in with" posts here, then redirects to the provider: CSP form-action
        response._csp_update = {"form-action": ["'self'", *federated.origins(options)]}
    return response


def _pending_user(request) -> tuple[object | None, dict]:
    pending = request.session.get(PENDING_MFA) or {}
    if not pending or clock.now().timestamp() - pending.get("at", 0) > PENDING_MFA_SECONDS:
        return None, {}
    return authn.active_user(pending.get("user_id")), pending


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_mfa_view(request):
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_MFA, None)
        messages.error(request, "Your sign-in took too long. Sign in again.")
        return redirect("accounts:login")
    form = MFACodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = flows.mfa_step(request, user, form.cleaned_data["code"])
        if outcome.status == "signed_in":
            request.session.pop(PENDING_MFA, None)
            login(request, user, backend=BACKEND)
            mark_mfa_authenticated(request)
            return redirect(_next_url(request, pending.get("next", "")))
        form.add_error("code", outcome.message)
    return render(request, "accounts/login_mfa.html", {"form": form, "user_name": user.name})


@require_POST
def logout_view(request):
    if getattr(request.user, "is_federated", False):
        flows.record_federated_sign_out(caller_from_request(request))
    elif request.user.is_authenticated:
        flows.record_sign_out(request.user, client_address(request))
    logout(request)  # flushes the session: a federated sign-in's role session key too
    messages.info(request, "You have signed out.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- password -------------------------------------------------------------------------------

@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@signed_in_page
@user_only
def password_change_view(request):
    user = request.user
    forced = passwords.password_change_required(user)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            iam.change_password(caller_from_request(request), form.cleaned_data["old_password"],
                                form.cleaned_data["new_password1"], required_at_sign_in=forced)
        except IAMError as exc:
            _form_error(form, exc, {"old_password": "old_password", "password": "new_password1"})
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "Your password has been changed.")
            return redirect(_next_url(request))
    return render(request, "accounts/password_change.html", {
        "form": form, "forced": forced, "reset_required": user.password_reset_required,
        "expires_at": iam.password_expires_at(user), "next": request.GET.get("next", ""),
        "may_change": forced or iam.may_change_own_password(caller_from_request(request)),
    })


# --- MFA ------------------------------------------------------------------------------------

def _own_devices(request):
    try:
        return list(iam.list_mfa_devices(caller_from_request(request)))
    except (AccessDenied, IAMError):
        return None


@signed_in_page
@user_only
def mfa_enroll_view(request):
    user = request.user
    caller = caller_from_request(request)
    pending = mfa.pending_device(request.session.get(ENROLL_SERIAL))
    name_form = DeviceNameForm(initial={"device_name": mfa.default_device_name(user)})
    codes_form = TwoCodesForm()
    action = request.POST.get("action")
    if request.method == "POST" and action == "create":
        name_form = DeviceNameForm(request.POST)
        if name_form.is_valid():
            try:
                new = mfa.create_own_device(caller, name_form.cleaned_data["device_name"])
            except AccessDenied:
                raise
            except IAMError as exc:
                _form_error(name_form, exc, {"virtual_mfa_device_name": "device_name"})
            else:
                request.session[ENROLL_SERIAL] = new.device.serial_number
                return redirect(request.get_full_path())
    elif request.method == "POST" and action == "enable" and pending is not None:
        codes_form = TwoCodesForm(request.POST)
        if codes_form.is_valid():
            error = _two_codes(iam.enable_mfa_device, caller, pending.device.serial_number,
                               codes_form)
            if error is not None:
                flows.record_failed_enrollment(caller, error.message)
            else:
                request.session.pop(ENROLL_SERIAL, None)
                # Two consecutive codes prove the second factor for this session.
                mark_mfa_authenticated(request)
                messages.success(request, "Your MFA device is enabled. You will need a code "
                                          "from it each time you sign in.")
                return redirect(_next_url(request))
    return render(request, "accounts/mfa_enroll.html", {
        "pending": pending, "name_form": name_form, "codes_form": codes_form,
        "devices": _own_devices(request), "device_count": mfa.mfa_device_count(user),
        "required": mfa.mfa_enrollment_required(user),
        "next": request.GET.get("next", ""), "root": user.is_root,
        "can_enroll_mfa": pending is not None or iam.may_enroll_own_mfa(caller),
    })


@signed_in_page
@user_only
def mfa_resync_view(request):
    user = request.user
    caller = caller_from_request(request)
    devices = mfa.user_mfa_devices(user)
    form = TwoCodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        serial = request.POST.get("serial_number") or (devices[0].serial_number if devices
                                                       else "")
        if _two_codes(iam.resync_mfa_device, caller, serial, form) is None:
            messages.success(request, "Your MFA device is synchronized.")
            return redirect("accounts:mfa_enroll")
    return render(request, "accounts/mfa_resync.html", {
        "form": form, "devices": devices, "can_enroll_mfa": iam.may_enroll_own_mfa(caller)})


# --- account password policy and sign-in settings ----------------------------------------

@signed_in_page
def password_policy_view(request):
    return _password_policy_page(request, caller_from_request(request))


def _password_policy_page(request, caller):
    action = request.POST.get("action", "policy")
    policy_form = settings_form = None
    if request.method == "POST" and action == "policy":
        policy_form = PasswordPolicyForm(request.POST)
        if policy_form.is_valid():
            try:
                iam.update_account_password_policy(caller, **policy_form.domain_fields())
            except AccessDenied:
                raise
            except IAMError as exc:
                _form_error(policy_form, exc,
                            {d: a for a, d in PasswordPolicyForm.FIELD_MAP.items()})
            else:
                messages.success(request, "The password policy has been saved.")
                return redirect("accounts:password_policy")
    elif request.method == "POST" and action == "delete":
        with contextlib.suppress(NoSuchEntity):
            iam.delete_account_password_policy(caller)
        messages.success(request, "The password policy has been removed.")
        return redirect("accounts:password_policy")
    elif request.method == "POST" and action == "settings":
        settings_form = AccountSettingsForm(request.POST)
        if settings_form.is_valid():
            iam.update_account_settings(caller,
                                        require_mfa=settings_form.cleaned_data["require_mfa"])
            messages.success(request, "The sign-in settings have been saved.")
            return redirect("accounts:password_policy")
    try:
        policy = iam.get_account_password_policy(caller)
    except NoSuchEntity:
        policy = None
    if policy_form is None:
        policy_form = PasswordPolicyForm(initial=PasswordPolicyForm.initial_from(policy))
    if settings_form is None:
        settings_form = AccountSettingsForm(initial={"require_mfa": mfa.account_requires_mfa()})
    return render(request, "accounts/password_policy.html", {
        "policy": policy, "policy_form": policy_form, "settings_form": settings_form,
        "policy_dict": iam.policy_dict(policy) if policy else None,
    })


# --- switch role ----------------------------------------------------------------------------

@csrf_protect
@never_cache
@login_required
@user_only
@require_http_methods(["GET", "POST"])
def switch_role_view(request):
    """AWS console "Switch role": the session acts as a role of this or another account (its
    trust policy and, across accounts, the user's own policies must allow sts:AssumeRole);
    "Switch back" returns to the user. The role session lasts an hour, as on AWS."""
    form = SwitchRoleForm(request.POST or None, initial={
        "account": request.GET.get("account", ""), "role": request.GET.get("role", "")})
    if request.method == "POST" and form.is_valid():
        request.session.pop(SWITCHED_ROLE, None)
        user = request.user
        with tenancy.acting_in(user.account_id):
            caller = Caller(user=user, auth_method="console",
                            source_ip=request.META.get("REMOTE_ADDR") or None,
                            mfa_authenticated_at=mfa_authenticated_at(request),
                            secure_transport=request.is_secure())
            outcome = flows.switch_role(caller, form.cleaned_data["account"],
                                        form.cleaned_data["role"])
        if outcome.error:
            form.add_error(None, outcome.error)
        else:
            request.session[SWITCHED_ROLE] = outcome.access_key_id
            messages.success(request, f"You are now {outcome.arn}.")
            return redirect("/")
    return render(request, "accounts/switch_role.html", {"form": form})


@require_POST
@login_required
@user_only
def switch_back_view(request):
    request.session.pop(SWITCHED_ROLE, None)
    messages.success(request, f"You are {request.user.arn} again.")
    return redirect("/")
