"""The organization, read-only: for the management account, the tree of its root, OUs and
accounts with the SCPs and RCPs attached at each level (AWS Organizations' console page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from iamconsole.orgs import services as orgs
from iamconsole.orgs.errors import OrganizationsError

from ..auth import console_view, get_caller


@console_view("organizations:DescribeOrganization", "*", methods=("GET",))
def organization_tree(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    try:
        org, root = orgs.organization_tree(caller)
    except OrganizationsError as exc:
        return render(request, "console/organization/tree.html",
                      {"error": exc, "account": caller.account},
                      status=403 if exc.code == "AccessDeniedException" else 200)
    return render(request, "console/organization/tree.html",
                  {"org": org, "root": root, "account": caller.account,
                   "management": org.management_id})
