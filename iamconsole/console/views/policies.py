"""Managed policies: list, detail (document with its visual summary, versions, attached entities,
tags), create, the policy editor for new versions, set-default / delete version, description,
delete, and the validator the editors call as you type."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from iamconsole.iam import identifiers as ids
from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError, NoSuchEntity, ValidationError
from iamconsole.iam.models import ManagedPolicy
from iamconsole.iam.services.policies import policy_arn
from iamconsole.policy import KINDS, validate_policy

from ..auth import allowed, console_view, get_caller
from ..forms import PolicyCreateForm, PolicyDescriptionForm, PolicyVersionForm, TagForm
from ..listing import build_listing
from ..summary import summarize
from .common import changed, failed, form_page, in_place, readable

TABS = [("document", "Permissions"), ("versions", "Versions"), ("entities", "Entities attached"),
        ("tags", "Tags")]
SORTS = {"name": "name", "type": "is_aws_managed", "attachments": "attachment_count",
         "created": "created_at", "updated": "updated_at"}
SCOPES = {"all": "All", "aws": "AWS", "local": "Local"}


def arn_for(scope: str, name: str) -> str:
    """The ARN behind a console URL /policies/<aws|local>/<name>/ (404 when there is none)."""
    policy = ManagedPolicy.objects.filter(name__ci=name,
                                          is_aws_managed=(scope == "aws")).first()
    if policy is None or scope not in ("aws", "local"):
        raise NoSuchEntity(f"Policy {name} does not exist.")
    return policy.arn


def policy_resource(request: HttpRequest, scope: str, name: str, **_) -> str:
    """A missing policy is authorized on the ARN its name would have (path /) before the
    view's 404: no existence oracle (iam.services.lookup.authorize_missing)."""
    try:
        return arn_for(scope, name)
    except NoSuchEntity:
        if scope not in ("aws", "local"):
            raise
        return policy_arn(name) if scope == "local" else ids.arn(f"policy/{name}", account="aws")


def detail_url(policy, tab: str = "document") -> str:
    scope = "aws" if policy.is_aws_managed else "local"
    return reverse("console:policy_detail", args=[scope, policy.name]) + f"?tab={tab}"


@console_view("iam:ListPolicies", policy_arn("*"), methods=("GET",))
def policy_list(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    scope = request.GET.get("scope", "all")
    usage = request.GET.get("usage", "")
    path_error = ""
    options = {"scope": SCOPES.get(scope, "All"),
               "only_attached": request.GET.get("attached") == "1",
               "policy_usage_filter": usage or None, "counts": False}
    try:
        qs = iam.list_policies(caller, path_prefix=request.GET.get("path") or "/", **options)
    except ValidationError as exc:
        path_error, qs = exc.message, iam.list_policies(caller, **options)
    listing = build_listing(request, qs, sortable=SORTS, tags=True,
                            search_fields=("name", "description"),
                            extra_params=("scope", "attached", "usage"),
                            facts=iam.with_counts)
    context = {"listing": listing, "path_error": path_error, "scope": scope,
               "can_create": allowed(request, "iam:CreatePolicy", policy_arn("*"))}
    if request.htmx and request.htmx.target == "results":
        return render(request, "console/policies/_table.html", context)
    return render(request, "console/policies/list.html", context)


@console_view("iam:CreatePolicy", policy_arn("*"))
def policy_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PolicyCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                policy = iam.create_policy(
                    get_caller(request), data["policy_name"], data["policy_document"],
                    path=data["path"] or "/", description=data["description"],
                    tags=data["tags"] or None)
            except IAMError as exc:
                form.apply_error(exc)
            else:
                return changed(request, detail_url(policy), f"Created policy {policy.name}.")
    else:
        form = PolicyCreateForm()
    return form_page(request, "console/policies/form.html",
                     {"creating": True, "doc_kind": "identity"}, form)


@console_view("iam:GetPolicy", policy_resource, methods=("GET",))
def policy_detail(request: HttpRequest, scope: str, name: str) -> HttpResponse:
    policy = iam.get_policy(get_caller(request), arn_for(scope, name))
    tab = request.GET.get("tab", "document")
    if tab not in dict(TABS):
        tab = "document"
    context = {"policy": policy, "tab": tab, "tabs": TABS, **tab_context(request, policy, tab)}
    context["tab_template"] = f"console/policies/_tab_{tab}.html"
    if request.htmx and request.htmx.target == "tabbed":
        return render(request, "console/_tabbed.html", context)
    return render(request, "console/policies/detail.html", context)


def tab_context(request: HttpRequest, policy, tab: str) -> dict:
    caller = get_caller(request)
    if tab == "document":
        version, denied = readable(lambda: iam.get_policy_version(
            caller, policy.arn, iam.default_version(policy).version_id))
        return {"version": version, "version_denied": denied,
                "summary": summarize(version.document) if version else None}
    if tab == "versions":
        versions, denied = readable(lambda: list(iam.list_policy_versions(caller, policy.arn)))
        return {"versions": versions, "versions_denied": denied, "max_versions": 5}
    if tab == "entities":
        entities, denied = readable(lambda: iam.list_entities_for_policy(caller, policy.arn))
        return {"entities": entities, "entities_denied": denied}
    return {}


def tab_fragment(request: HttpRequest, policy_arn_: str, tab: str,
                 notice: str = "") -> HttpResponse:
    policy = iam.get_policy_by_arn(policy_arn_)
    context = {"policy": policy, "tab": tab, "notice": notice,
               **tab_context(request, policy, tab)}
    return render(request, f"console/policies/_tab_{tab}.html", context)


@console_view("iam:GetPolicyVersion", policy_resource, methods=("GET",))
def policy_version_detail(request: HttpRequest, scope: str, name: str,
                          version_id: str) -> HttpResponse:
    arn = arn_for(scope, name)
    version = iam.get_policy_version(get_caller(request), arn, version_id)
    return render(request, "console/policies/version.html", {
        "policy": version.policy, "version": version, "summary": summarize(version.document)})


@console_view("iam:CreatePolicyVersion", policy_resource)
def policy_version_create(request: HttpRequest, scope: str, name: str) -> HttpResponse:
    """The policy editor: saving creates a new version (AWS keeps at most five)."""
    caller = get_caller(request)
    policy = iam.get_policy(caller, arn_for(scope, name))
    if request.method == "POST":
        form = PolicyVersionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = iam.create_policy_version(
                    caller, policy.arn, data["policy_document"],
                    set_as_default=data["set_as_default"], revision=data["revision"])
            except IAMError as exc:
                form.apply_error(exc)
            else:
                return changed(request, detail_url(policy, "versions"),
                               f"Created version {version.version_id} of {policy.name}.")
    else:
        form = PolicyVersionForm(initial={
            "policy_document": iam.default_version(policy).document,
            "revision": policy.revision, "set_as_default": True})
    return form_page(request, "console/policies/version_form.html",
                     {"policy": policy, "doc_kind": "identity"}, form)


@console_view("iam:SetDefaultPolicyVersion", policy_resource, methods=("POST",))
def policy_version_set_default(request: HttpRequest, scope: str, name: str,
                               version_id: str) -> HttpResponse:
    arn = arn_for(scope, name)
    revision = request.POST.get("revision") or None
    if revision is not None and not (revision.isascii() and revision.isdigit()):
        raise BadRequest("The revision must be a whole number.")  # 400 (iamconsole/failures)
    policy = iam.get_policy_by_arn(arn)
    return in_place(
        request, lambda: iam.set_default_policy_version(get_caller(request), arn, version_id,
                                                        revision=revision),
        url=detail_url(policy, "versions"), message=f"{version_id} is now the default version.",
        fragment=lambda msg: tab_fragment(request, arn, "versions", msg))


@console_view("iam:DeletePolicyVersion", policy_resource, methods=("POST",))
def policy_version_delete(request: HttpRequest, scope: str, name: str,
                          version_id: str) -> HttpResponse:
    arn = arn_for(scope, name)
    policy = iam.get_policy_by_arn(arn)
    return in_place(
        request, lambda: iam.delete_policy_version(get_caller(request), arn, version_id),
        url=detail_url(policy, "versions"), message=f"Deleted version {version_id}.",
        fragment=lambda msg: tab_fragment(request, arn, "versions", msg))


@console_view("iam:CreatePolicyVersion", policy_resource)
def policy_edit(request: HttpRequest, scope: str, name: str) -> HttpResponse:
    """Edit the description (AWS has no UpdatePolicy; the domain uses CreatePolicyVersion's
    authority for it)."""
    caller = get_caller(request)
    policy = iam.get_policy(caller, arn_for(scope, name))
    if request.method == "POST":
        form = PolicyDescriptionForm(request.POST)
        if form.is_valid():
            try:
                iam.update_policy_description(caller, policy.arn,
                                              form.cleaned_data["description"],
                                              revision=form.cleaned_data["revision"])
            except IAMError as exc:
                form.apply_error(exc)
            else:
                return changed(request, detail_url(policy), "Description saved.")
    else:
        form = PolicyDescriptionForm(initial={"description": policy.description,
                                              "revision": policy.revision})
    return form_page(request, "console/policies/edit_form.html", {"policy": policy}, form)


@console_view("iam:DeletePolicy", policy_resource)
def policy_delete(request: HttpRequest, scope: str, name: str) -> HttpResponse:
    arn = arn_for(scope, name)
    policy = iam.get_policy_by_arn(arn)
    error = ""
    if request.method == "POST":
        try:
            iam.delete_policy(get_caller(request), arn)
        except IAMError as exc:
            if exc.code == "AccessDenied":
                raise
            error = exc.message
        else:
            return changed(request, reverse("console:policy_list"), f"Deleted policy {name}.")
    template = "console/_confirm_delete.html" if request.htmx else "console/confirm_delete.html"
    return render(request, template, {
        "object_kind": "policy", "object_name": policy.name, "error": error,
        "action_url": reverse("console:policy_delete", args=[scope, policy.name]),
        "cancel_url": detail_url(policy),
        "warning": "Detach the policy everywhere and delete its other versions first.",
    }, status=409 if error else 200)


def _tag_context(request, caller):
    key = request.POST.get("key", "")
    return [{"aws:TagKeys": [key], f"aws:RequestTag/{key}": request.POST.get("value", "")}]


@console_view("iam:TagPolicy", policy_resource, contexts=_tag_context, methods=("POST",))
def policy_tag(request: HttpRequest, scope: str, name: str) -> HttpResponse:
    arn = arn_for(scope, name)
    policy = iam.get_policy_by_arn(arn)
    form = TagForm(request.POST)
    if not form.is_valid():
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        return failed(request, ValidationError(message), detail_url(policy, "tags"))
    key, value = form.cleaned_data["key"], form.cleaned_data["value"]
    return in_place(
        request, lambda: iam.tag_policy(get_caller(request), arn, {key: value}),
        url=detail_url(policy, "tags"), message=f"Tag {key} saved.",
        fragment=lambda msg: tab_fragment(request, arn, "tags", msg))


@console_view("iam:UntagPolicy", policy_resource, methods=("POST",))
def policy_untag(request: HttpRequest, scope: str, name: str) -> HttpResponse:
    arn = arn_for(scope, name)
    policy = iam.get_policy_by_arn(arn)
    key = request.POST.get("key", "")
    return in_place(
        request, lambda: iam.untag_policy(get_caller(request), arn, [key]),
        url=detail_url(policy, "tags"), message=f"Tag {key} removed.",
        fragment=lambda msg: tab_fragment(request, arn, "tags", msg))


# The validator reads no account data: it only parses the text it is sent, so it needs a
# signed-in user and no IAM action.
@require_POST
@console_view(None, methods=("POST",))
def policy_validate(request: HttpRequest) -> HttpResponse:
    text = (request.POST.get("policy_document") or request.POST.get("document")
            or request.POST.get("assume_role_policy_document") or "")
    kind = request.POST.get("kind", "identity")
    if kind not in KINDS:
        kind = "identity"
    findings = validate_policy(text, kind) if text.strip() else []
    errors = [f for f in findings if f.severity == "error"]
    summary = summarize(text, kind) if text.strip() and not errors else None
    return render(request, "console/policies/_findings.html", {
        "findings": findings, "errors": errors, "summary": summary, "empty": not text.strip(),
        "warnings": [f for f in findings if f.severity != "error"],
    })
