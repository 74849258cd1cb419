"""The audit log: who did what to which object, when, from which address, with the old and new
values. Read-only: there is no view that edits or deletes an event (and the model refuses to).

Reading it is CloudTrail's action in AWS, cloudtrail:LookupEvents."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from iamconsole.iam import audit

from ..auth import console_view, get_caller
from ..diff import diff_lines, pretty_text
from ..forms import AuditFilterForm

AUDIT_ACTION = audit.LOOKUP_ACTION
PER_PAGE = 50
EXPORT_CHUNK = 500
CSV_COLUMNS = ("eventTime", "eventName", "eventSource", "userIdentity.type", "userIdentity.arn",
               "userIdentity.accountId", "userIdentity.userName", "sourceIPAddress", "userAgent",
               "requestParameters", "errorCode", "errorMessage", "eventID")


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
    diff = diff_lines(event.old_value, event.new_value) \
        if event.old_value is not None and event.new_value is not None else []
    return render(request, "console/audit/detail.html", {
        "event": event, "diff": diff, "old_text": pretty_text(event.old_value),
        "new_text": pretty_text(event.new_value)})


def _export_events(request: HttpRequest):
    form = AuditFilterForm(request.GET or None)
    if not request.GET or set(request.GET) <= {"format", "page"}:
        return audit.lookup_events(get_caller(request))
    return filtered_events(request, form)


def _records(events) -> Iterator[dict]:
    for event in events.iterator(chunk_size=EXPORT_CHUNK):
        yield audit.cloudtrail_record(event)


def _csv_row(record: dict) -> list[str]:
    row = []
    for column in CSV_COLUMNS:
        head, _, tail = column.partition(".")
        value = record.get(head)
        if tail:
            value = (value or {}).get(tail)
        if isinstance(value, dict | list):
            value = json.dumps(value, separators=(",", ":"))
        row.append("" if value is None else str(value))
    return row


class _Echo:
    def write(self, value: str) -> str:
        return value


def _stream_csv(events) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for record in _records(events):
        yield writer.writerow(_csv_row(record))


def _stream_json(events) -> Iterator[str]:
    yield '{"Records": ['
    first = True
    for record in _records(events):
        yield ("" if first else ",\n") + json.dumps(record)
        first = False
    yield "]}\n"


@console_view(AUDIT_ACTION, "*", methods=("GET",))
def audit_export(request: HttpRequest) -> HttpResponse:
    """The events of the current filter as CloudTrail-like records, CSV or JSON, streamed."""
    kind = request.GET.get("format", "json")
    if kind not in ("json", "csv"):
        return HttpResponse("format must be csv or json", status=400,
                            content_type="text/plain")
    events = _export_events(request)
    if kind == "csv":
        response = StreamingHttpResponse(_stream_csv(events), content_type="text/csv")
    else:
        response = StreamingHttpResponse(_stream_json(events), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="audit-events.{kind}"'
    return response
