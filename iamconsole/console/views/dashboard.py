"""The dashboard: account counts (iam:GetAccountSummary) and the security posture at a glance
(iam:GetCredentialReport: the facts a credential report holds). A user allowed neither still
gets a page: who they are and where to change their password or MFA device."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from iamconsole.iam import services as iam
from iamconsole.iam.posture import security_posture

from ..auth import allowed, console_view, get_caller
from .common import readable


@console_view(None, methods=("GET",))
def dashboard(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    summary, summary_denied = readable(lambda: iam.get_account_summary(caller))
    posture = security_posture() if allowed(request, "iam:GetCredentialReport", "*") else None
    return render(request, "console/dashboard.html", {
        "summary": summary, "summary_denied": summary_denied, "posture": posture,
        "caller": caller,
    })
