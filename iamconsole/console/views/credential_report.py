"""The credential report page: AWS's credential report (iam/reports.py builds it, as for the
Query API's GetCredentialReport) as a table with filters, and its CSV download with the same
filters. Reading needs iam:GetCredentialReport, (re)generating iam:GenerateCredentialReport."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from iamconsole.iam import reports
from iamconsole.iam.errors import IAMError

from ..auth import allowed, console_view, get_caller
from ..listing import rows_listing
from .common import changed, failed

DAYS = {"min_value": 0, "max_value": 36500, "required": False}


class CredentialReportFilterForm(forms.Form):
    no_mfa = forms.BooleanField(label="Without MFA", required=False)
    key_older_than_days = forms.IntegerField(label="Active access key older than (days)", **DAYS)
    password_unused_days = forms.IntegerField(label="Password unused for (days)", **DAYS)
    password_never_used = forms.BooleanField(label="Password never used", required=False)

    def wanted(self) -> reports.CredentialReportFilter:
        if not self.is_valid():
            return reports.CredentialReportFilter()
        return reports.CredentialReportFilter(**self.cleaned_data)


def _report(request: HttpRequest):
    """(report or None, the error that explains its absence or None)."""
    try:
        return reports.get_credential_report(get_caller(request)), None
    except IAMError as exc:
        return None, exc


@console_view("iam:GetCredentialReport", "*", methods=("GET",))
def credential_report(request: HttpRequest) -> HttpResponse:
    form = CredentialReportFilterForm(request.GET or None)
    report, error = _report(request)
    rows = reports.filter_credential_report(report, form.wanted()) if report else []
    filters = {name: request.GET.get(name, "") for name in CredentialReportFilterForm.base_fields}
    query = urlencode({name: value for name, value in filters.items() if value})
    template = ("console/credential-report/_table.html"
                if request.htmx and request.htmx.target == "results"
                else "console/credential-report/report.html")
    return render(request, template, {
        "form": form if request.GET else CredentialReportFilterForm(),
        "report": report, "error": error, "listing": rows_listing(request, rows, filters),
        "query": query, "can_generate": allowed(request, "iam:GenerateCredentialReport"),
    })


@console_view("iam:GetCredentialReport", "*", methods=("GET",))
def credential_report_csv(request: HttpRequest) -> HttpResponse:
    url = reverse("console:credential_report")
    form = CredentialReportFilterForm(request.GET or None)
    report, error = _report(request)
    if report is None:
        return failed(request, error, url)
    body = reports.credential_report_csv(reports.filter_credential_report(report, form.wanted()))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = report.generated_at.strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="credential-report-{stamp}.csv"'
    return response


@require_POST
@console_view("iam:GenerateCredentialReport", "*", methods=("POST",))
def credential_report_generate(request: HttpRequest) -> HttpResponse:
    url = reverse("console:credential_report")
    try:
        state = reports.generate_credential_report(get_caller(request))
    except IAMError as exc:
        return failed(request, exc, url)
    message = ("Generated a new credential report." if state.state == "STARTED" else
               "The credential report is less than four hours old; it was kept.")
    return changed(request, url, message)
