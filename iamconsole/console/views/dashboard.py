"""The dashboard: account counts (iam:GetAccountSummary) and the security posture at a glance
(iam:GetCredentialReport: the facts a credential report holds). A user allowed neither still
gets a page: who they are and where to change their password or MFA device."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
        "can_enroll_mfa": iam.may_enroll_own_mfa(caller),
    })
