"""Admin-assigned MFA (AWS's "Assign MFA device"): an administrator creates a virtual MFA device
for another user, the user's authenticator app scans its QR code, two consecutive codes enable
it; and the administrator's reset (deactivate and delete) of a user's device. Each step is the
AWS operation (CreateVirtualMFADevice, EnableMFADevice, DeactivateMFADevice +
DeleteVirtualMFADevice), authorized on the caller's policies."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from iamconsole.accounts.forms import TwoCodesForm
from iamconsole.iam import services as iam
from iamconsole.iam.errors import AccessDenied, IAMError
from iamconsole.iam.services import mfa

from ..auth import console_view, get_caller
from .common import changed, failed
from .users import PAGE, user_resource


def _session_key(name: str) -> str:
    return f"console:mfa-assign:{name.lower()}"


@console_view("iam:EnableMFADevice", user_resource)
def mfa_assign(request: HttpRequest, name: str) -> HttpResponse:
    caller = get_caller(request)
    user = iam.find_user(name)
    key = _session_key(user.name)
    pending = mfa.pending_device(request.session.get(key))
    form, error = TwoCodesForm(), ""
    if request.method == "POST" and request.POST.get("action") == "create":
        try:
            new = iam.create_virtual_mfa_device(caller, mfa.default_device_name(user))
        except AccessDenied:
            raise
        except IAMError as exc:
            error = exc.message
        else:
            request.session[key] = new.device.serial_number
            return redirect(request.get_full_path())
    elif request.method == "POST" and request.POST.get("action") == "enable" and pending:
        form = TwoCodesForm(request.POST)
        if form.is_valid():
            try:
                iam.enable_mfa_device(caller, user.name, pending.device.serial_number,
                                      form.cleaned_data["code1"], form.cleaned_data["code2"])
            except AccessDenied:
                raise
            except IAMError as exc:
                error = exc.message
            else:
                request.session.pop(key, None)
                return changed(request, PAGE.tab_url([user.name], "credentials"),
                               f"Assigned MFA device {pending.device.serial_number} to "
                               f"{user.name}.")
    response = render(request, "console/users/mfa_assign.html", {
        "user_obj": user, "pending": pending, "form": form, "error": error,
        "detail_url": PAGE.tab_url([user.name], "credentials")},
        status=400 if error or form.errors else 200)
    response["Cache-Control"] = "no-store"  # the seed is on it
    return response


@console_view("iam:DeactivateMFADevice", user_resource, methods=("POST",))
def mfa_reset(request: HttpRequest, name: str) -> HttpResponse:
    serial = request.POST.get("serial_number", "")
    url = PAGE.tab_url([name], "credentials")
    try:
        iam.reset_mfa_device(get_caller(request), name, serial)
    except IAMError as exc:
        return failed(request, exc, url)
    return changed(request, url, f"Reset MFA device {serial}: {name} has to enroll again.")
