"""The search box of a policy picker (see console/pickers.py): the <option>s of the policies whose
name contains what was typed, swapped into the picker's <select> by htmx, and its hint."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from iamconsole.iam import kinds
from iamconsole.iam import services as iam
from iamconsole.iam.services.policies import policies_with_arns

from .. import pickers
from ..auth import console_view, get_caller

KINDS = kinds.IDENTITIES
CHOSEN_MAX = 100  # the chosen values a search carries along
CREATE_RESOURCES = {"user": kinds.USER, "role": kinds.ROLE}


@console_view("iam:ListPolicies", kinds.POLICY.any_arn, methods=("GET",))
def policy_options(request: HttpRequest) -> HttpResponse:
    """GET ?purpose=attach&kind=user&name=alice&q=s3 — the policies alice may get attached;
    purpose=boundary (…&selected=<current boundary ARN>): the boundaries the caller may set on
    the user or role, the current one kept selectable; purpose=create&kind=user|role: the
    boundaries the caller may create a user or role with."""
    caller = get_caller(request)
    purpose = request.GET.get("purpose", "")
    kind = request.GET.get("kind", "")
    name = request.GET.get("name", "")
    query = request.GET.get("q", "").strip()[:128]
    policies = iam.list_policies(caller, counts=False)
    if purpose == "attach" and kind in KINDS:
        attached = list(iam.list_attached_policies(caller, kind, name))
        chosen = policies_with_arns(policies, request.GET.getlist("policy_arn")[:CHOSEN_MAX])
        picker = pickers.attach_picker(policies, attached, kind=kind, name=name, query=query,
                                       chosen=chosen)
    elif purpose == "boundary" and kind in KINDS and KINDS[kind].has_boundary:
        spec = KINDS[kind]
        entity = spec.find(name)
        arn = request.GET.get("selected", "")
        picker = pickers.boundary_picker(
            request, policies, kind=kind, entity=entity,
            action=spec.action("Put{noun}PermissionsBoundary"), query=query,
            selected=pickers.find_policy(arn) if arn else None)
        if query:  # the matches come first and the first one is picked; the current one stays
            for option in picker.options:
                option.selected = False
    elif purpose == "bulk":  # the bulk form of a list: any policy
        picker = pickers.bulk_policy_picker(policies, kind=kind, query=query)
    elif purpose == "create" and kind in CREATE_RESOURCES:
        picker = pickers.create_boundary_picker(
            request, policies, kind=kind, action=KINDS[kind].action("Create{noun}"),
            resource=CREATE_RESOURCES[kind].arn("*"), query=query)
    else:
        return HttpResponseBadRequest("purpose: attach, boundary (kind user|group|role and name) "
                                      "or create (kind user|role)")
    return render(request, "console/policy_options.html", {"picker": picker})


@console_view("iam:ListUsers", kinds.USER.any_arn, methods=("GET",))
def user_options(request: HttpRequest) -> HttpResponse:
    """GET ?group=Admins&q=ali — the users not in the group whose name contains "ali"."""
    caller = get_caller(request)
    _, members = iam.get_group(caller, request.GET.get("group", ""))
    picker = pickers.member_picker(iam.list_users(caller, path_prefix=None),
                                   _named(request.GET.get("group", "")), list(members),
                                   query=request.GET.get("q", "").strip()[:128],
                                   chosen=request.GET.getlist("user_name")[:CHOSEN_MAX])
    return render(request, "console/policy_options.html", {"picker": picker})


@console_view("iam:ListGroups", kinds.GROUP.any_arn, methods=("GET",))
def group_options(request: HttpRequest) -> HttpResponse:
    """GET ?user=alice&q=dev — the groups alice is not in whose name contains "dev" and the
    caller may add her to."""
    caller = get_caller(request)
    query = request.GET.get("q", "").strip()[:128]
    if request.GET.get("purpose") == "bulk":  # the Users list's bulk form: any group
        picker = pickers.bulk_group_picker(iam.list_groups(caller, path_prefix=None), query=query)
        return render(request, "console/policy_options.html", {"picker": picker})
    name = request.GET.get("user", "")
    member_of = list(iam.list_groups_for_user(caller, name))
    picker = pickers.group_picker(request, iam.list_groups(caller, path_prefix=None),
                                  _named(name), member_of,
                                  query=request.GET.get("q", "").strip()[:128])
    return render(request, "console/policy_options.html", {"picker": picker})


@console_view("iam:ListRoles", kinds.ROLE.any_arn, methods=("GET",))
def role_options(request: HttpRequest) -> HttpResponse:
    """GET ?profile=web&q=app — the roles whose name contains "app" (to add to profile web)."""
    picker = pickers.role_picker(iam.list_roles(get_caller(request), path_prefix=None),
                                 _named(request.GET.get("profile", "")),
                                 query=request.GET.get("q", "").strip()[:128])
    return render(request, "console/policy_options.html", {"picker": picker})


@console_view("iam:ListPolicies", kinds.POLICY.any_arn, methods=("GET",))
def identity_options(request: HttpRequest) -> HttpResponse:
    """GET ?q=dev — the users, groups and roles whose name contains "dev", of the kinds the
    caller may list (a policy's bulk attach target)."""
    from .bulk import identity_lists

    picker = pickers.identity_picker(identity_lists(request),
                                     query=request.GET.get("q", "").strip()[:128])
    return render(request, "console/policy_options.html", {"picker": picker})


class _named:
    """What a picker's search URL needs of an entity: its name."""

    def __init__(self, name: str):
        self.name = name
