"""Bulk actions on the Users list: the checked rows, one action, a per-user results summary.
The work is the domain's (iam/services/bulk.py): each user is its own transaction, checked by
the policy engine and audited; the view only reads the form and shows the outcome."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from iamconsole.iam import kinds
from iamconsole.iam.errors import ValidationError
from iamconsole.iam.services import bulk

from ..auth import console_view, get_caller, policies_changed

LABELS = {"delete": "Delete", "add_to_group": "Add to group",
          "attach_policy": "Attach managed policy", "detach_policy": "Detach managed policy",
          "deactivate_access_keys": "Deactivate access keys"}


@require_POST
@console_view("iam:ListUsers", kinds.USER.any_arn, methods=("POST",))
def user_bulk(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("bulk_action", "")
    try:
        result = bulk.bulk_user_action(
            get_caller(request), action, request.POST.getlist("users"),
            group_name=request.POST.get("group", "").strip(),
            policy_arn=request.POST.get("policy_arn", "").strip())
    except ValidationError as exc:
        messages.error(request, exc.message)
        return redirect(request.POST.get("next") or "/users/")
    policies_changed(request)
    return render(request, "console/users/bulk_result.html", {
        "result": result, "label": LABELS[action],
        "back": request.POST.get("next") or "/users/"})
