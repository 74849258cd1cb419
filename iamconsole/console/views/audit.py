"""The audit log: who did what to which object, when, from which address, with the old and new
values. Read-only: there is no view that edits or deletes an event (and the model refuses to).

Reading it is CloudTrail's action in AWS, cloudtrail:LookupEvents."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from iamconsole.iam.models import AuditEvent

from ..auth import console_view
from ..forms import AuditFilterForm

AUDIT_ACTION = "cloudtrail:LookupEvents"
PER_PAGE = 50


def filtered_events(form: AuditFilterForm):
    qs = AuditEvent.objects.all()
    if not form.is_valid():
        return qs.none()
    data = form.cleaned_data
    if data["actor"]:
        qs = qs.filter(actor__icontains=data["actor"])
    if data["action"]:
        qs = qs.filter(action__icontains=data["action"])
    if data["resource_type"]:
        qs = qs.filter(resource_type=data["resource_type"])
    if data["resource_name"]:
        qs = qs.filter(resource_name__icontains=data["resource_name"])
    if data["since"]:
        qs = qs.filter(created_at__gte=datetime.combine(data["since"], time.min,
                                                        tzinfo=UTC))
    if data["until"]:
        qs = qs.filter(created_at__lte=datetime.combine(data["until"], time.max,
                                                        tzinfo=UTC))
    return qs.order_by("-created_at", "-id")


@console_view(AUDIT_ACTION, "*", methods=("GET",))
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    if request.GET:
        events = filtered_events(form)
    else:
        events = AuditEvent.objects.order_by("-created_at", "-id")
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {"form": form, "page": page, "query": params.urlencode()}
    if request.htmx and request.htmx.target == "results":
        return render(request, "console/audit/_table.html", context)
    return render(request, "console/audit/list.html", context)


@console_view(AUDIT_ACTION, "*", methods=("GET",))
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(AuditEvent, pk=pk)
    return render(request, "console/audit/detail.html", {"event": event})
