"""The audit log: who did what to which object, when, from which address, with the old and new
values. Read-only: there is no view that edits or deletes an event (and the model refuses to).

Reading it is CloudTrail's action in AWS, cloudtrail:LookupEvents."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from iamconsole.iam import audit

from ..auth import console_view, get_caller
from ..forms import AuditFilterForm

AUDIT_ACTION = audit.LOOKUP_ACTION
PER_PAGE = 50


def filtered_events(request: HttpRequest, form: AuditFilterForm):
    """The search form's filters over the domain's audit lookup: text as substrings, dates as
    whole days (until is inclusive of its day)."""
    if not form.is_valid():
        return audit.no_events()
    data = form.cleaned_data
    result = data["result"]
    return audit.lookup_events(
        get_caller(request), contains=True, failed=result == "failed",
        outcome=result if result in (audit.SUCCESS, audit.DENIED) else None,
        actor=data["actor"], action=data["action"], resource_type=data["resource_type"],
        resource_name=data["resource_name"],
        since=datetime.combine(data["since"], time.min, tzinfo=UTC) if data["since"] else None,
        until=datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=UTC)
        if data["until"] else None,
    )


@console_view(AUDIT_ACTION, "*", methods=("GET",))
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = filtered_events(request, form) if request.GET else audit.lookup_events(
        get_caller(request))
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {"form": form, "page": page, "query": params.urlencode()}
    if request.htmx and request.htmx.target == "results":
        return render(request, "console/audit/_table.html", context)
    return render(request, "console/audit/list.html", context)


@console_view(AUDIT_ACTION, "*", methods=("GET",))
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = audit.find_event(get_caller(request), pk)
    if event is None:
        raise Http404("No AuditEvent matches the given query.")
    return render(request, "console/audit/detail.html", {"event": event})
