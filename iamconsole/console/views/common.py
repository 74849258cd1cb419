"""What every console view does after calling a domain operation: answer htmx with a fragment or
an HX-Location, answer a plain POST with a redirect, and turn domain errors into messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseLocation, reswap, retarget

from iamconsole.iam.errors import AccessDenied, IAMError

from ..auth import access_denied_response, policies_changed

# The event an in-place change announces (HX-Trigger): regions showing what it may have changed
# (an entity page's summary cards, console/entity/_summary.html) fetch themselves again.
CHANGED_EVENT = "entity-changed"


def announce_change(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = CHANGED_EVENT
    return response


def changed(request: HttpRequest, url: str, message: str) -> HttpResponse:
    """After a successful save: go to `url` (htmx: HX-Location, no full reload)."""
    policies_changed(request)
    messages.success(request, message)
    if request.htmx:
        return HttpResponseLocation(url)
    return redirect(url)


def failed(request: HttpRequest, exc: IAMError, url: str) -> HttpResponse:
    """An in-place action the domain refused: say why, change nothing."""
    if isinstance(exc, AccessDenied):
        return access_denied_response(request, exc)
    if request.htmx:
        response = render(request, "partials/error.html",
                          {"code": exc.code, "message": exc.message}, status=exc.status)
        return reswap(retarget(response, "#flash"), "innerHTML")
    messages.error(request, exc.message)
    return redirect(url)


def in_place(request: HttpRequest, operation: Callable[[], Any], *, url: str, message: str,
             fragment: Callable[[str], HttpResponse]) -> HttpResponse:
    """Run one domain operation for an htmx button; re-render the fragment it changed
    (plain POST: redirect back with a message)."""
    try:
        operation()
    except IAMError as exc:
        return failed(request, exc, url)
    policies_changed(request)
    if request.htmx:
        return announce_change(fragment(message))
    messages.success(request, message)
    return redirect(url)


def form_page(request: HttpRequest, template: str, context: dict, form) -> HttpResponse:
    """Render a form page; a form with errors answers 400 (409 for a stale edit) so clients and
    tests can tell, and htmx swaps it in place all the same (static/js/console.js)."""
    status = 200
    if form.is_bound and form.errors:
        status = 400
        if getattr(form, "stale", False):
            status = 409
        elif getattr(form, "denied", False):
            status = 403
    return render(request, template, {**context, "form": form}, status=status)


def readable(operation: Callable[[], Any]) -> tuple[Any, AccessDenied | None]:
    """A read that the caller may not be allowed: (result, None) or (None, the denial)."""
    try:
        return operation(), None
    except AccessDenied as exc:
        return None, exc
