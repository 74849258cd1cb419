"""The dashboard: account counts (iam:GetAccountSummary) and the security posture at a glance
(iam:GetCredentialReport: the facts a credential report holds). A user allowed neither still
gets a page: who they are and where to change their password or MFA device."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from iamconsole.iam import kinds
from iamconsole.iam import services as iam
from iamconsole.iam.posture import root_active_access_keys, security_posture

from ..auth import allowed, console_view, get_caller
from .common import readable


@console_view(None, methods=("GET",))
def dashboard(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    summary, summary_denied = readable(lambda: iam.get_account_summary(caller))
    posture = security_posture() if allowed(request, "iam:GetCredentialReport", "*") else None
    # The root user's active access keys: shown to the root user and to whoever may read the
    # credential report (which lists them too).
    root_keys = root_active_access_keys() if posture is not None or request.user.is_root \
        else []
    return render(request, "console/dashboard.html", {
        "summary": summary, "summary_denied": summary_denied, "posture": posture,
        "caller": caller, "root_keys": root_keys,
        "can_list_users": posture is not None and allowed(request, "iam:ListUsers",
                                                          kinds.USER.any_arn()),
        **self_service_prompts(caller),
    })


def self_service_prompts(caller) -> dict:
    """What the page may offer the caller to do for themselves: only what the engine allows
    (iam.services.self_service); the rest is an administrator's."""
    user = caller.user
    return {"self_service": user is not None and caller.role is None and not user.is_root,
            "can_change_password": iam.may_change_own_password(caller),
            "can_enroll_mfa": iam.may_enroll_own_mfa(caller),
            "can_manage_keys": iam.may_manage_own_access_keys(caller)}
