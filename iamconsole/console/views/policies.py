"""Managed policies: list, detail (document with its visual summary, versions, attached entities,
tags), create, the policy editor for new versions, set-default / delete version, description,
delete, and the validator the editors call as you type."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from iamconsole.iam import arns, browse, kinds
from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError, NoSuchEntity
from iamconsole.policy import KINDS, validate_policy

from ..auth import console_view, get_caller
from ..diff import diff_lines
from ..forms import PolicyCreateForm, PolicyDescriptionForm, PolicyVersionForm
from ..summary import summarize
from . import entities
from .common import changed, form_page, in_place, readable

SCOPES = {"all": "All", "aws": "AWS", "local": "Local"}


def arn_for(scope: str, name: str) -> str:
    """The ARN behind a console URL /policies/<aws|local>/<name>/ (404 when there is none)."""
    return browse.policy_at(scope, name).arn


def policy_resource(request: HttpRequest, scope: str, name: str, **_) -> str:
    """A missing policy is authorized on the ARN its name would have (path /) before the
    view's 404: no existence oracle (iam.services.lookup.authorize_missing)."""
    try:
        return arn_for(scope, name)
    except NoSuchEntity:
        if scope not in ("aws", "local"):
            raise
        return arns.policy(name, aws_managed=scope == "aws")


class PolicyPage(entities.EntityPage):
    """Managed policies: addressed by scope (aws | local) and name, named by ARN in the domain;
    AWS managed ones are read-only."""

    kind = kinds.POLICY
    var = "policy"
    tabs = (("document", "Permissions"), ("versions", "Versions"),
            ("entities", "Entities attached"), ("tags", "Tags"), entities.LAST_ACCESSED_TAB,
            entities.ACTIVITY_TAB)
    sorts = {"name": "name", "type": "is_aws_managed", "attachments": "attachment_count",
             "created": "created_at", "updated": "updated_at"}
    search_fields = ("name", "description")
    list_params = ("scope", "attached", "usage")
    list_action = "iam:ListPolicies"
    list_template = "console/policies/list.html"
    edit_template = "console/policies/edit_form.html"
    create_form = PolicyCreateForm
    edit_form = PolicyDescriptionForm
    create_context = {"doc_kind": "identity"}
    home_tab = edit_tab = "document"
    # AWS has no UpdatePolicy: the description is edited with CreatePolicyVersion's authority.
    edit_action = "CreatePolicyVersion"
    delete_warning = "Detach the policy everywhere and delete its other versions first."
    path_arg = "<str:scope>/<str:name>"

    def ident(self, kwargs):
        return arn_for(kwargs["scope"], kwargs["name"])

    def args(self, policy):
        return ["aws" if policy.is_aws_managed else "local", policy.name]

    def request_args(self, kwargs, arn, policy=None):
        return self.args(policy or self.find(arn))

    def resource(self, request, scope, name, **_):
        return policy_resource(request, scope, name)

    def list(self, caller, request, path_prefix):
        get = request.GET
        return iam.list_policies(
            caller, path_prefix=path_prefix, scope=SCOPES.get(get.get("scope", "all"), "All"),
            only_attached=get.get("attached") == "1",
            policy_usage_filter=get.get("usage", "") or None, counts=False)

    def list_context(self, request):
        return {"scope": request.GET.get("scope", "all")}

    def load(self, caller, arn):
        return iam.get_policy(caller, arn)

    def find(self, arn):
        return iam.get_policy_by_arn(arn)

    def taggable(self, policy):
        return not policy.is_aws_managed

    def create(self, caller, data):
        return iam.create_policy(caller, data["policy_name"], data["policy_document"],
                                 path=data["path"] or "/", description=data["description"],
                                 tags=data["tags"] or None)

    def edit_initial(self, policy):
        return {"description": policy.description, "revision": policy.revision}

    def update(self, caller, arn, policy, data):
        iam.update_policy_description(caller, arn, data["description"],
                                      revision=data["revision"])
        return policy

    def saved_message(self, policy):
        return "Description saved."

    def tab_context(self, request, policy, tab):
        caller = get_caller(request)
        if tab == "document":
            version, denied = readable(lambda: iam.get_policy_version(
                caller, policy.arn, iam.default_version(policy).version_id))
            return {"version": version, "version_denied": denied,
                    "summary": summarize(version.document) if version else None}
        if tab == "versions":
            versions, denied = readable(
                lambda: list(iam.list_policy_versions(caller, policy.arn)))
            return {"versions": versions, "versions_denied": denied, "max_versions": MAX_VERSIONS}
        if tab == "entities":
            entities, denied = readable(lambda: iam.list_entities_for_policy(caller, policy.arn))
            return {"entities": entities, "entities_denied": denied}
        return {}


PAGE = PolicyPage()
MAX_VERSIONS = iam.MAX_POLICY_VERSIONS


def detail_url(policy, tab: str = "document") -> str:
    return PAGE.tab_url(PAGE.args(policy), tab)


def tab_fragment(request: HttpRequest, arn: str, tab: str, notice: str = "") -> HttpResponse:
    return entities.tab_fragment(request, PAGE, arn, tab, notice)


@console_view("iam:GetPolicyVersion", policy_resource, methods=("GET",))
def policy_version_detail(request: HttpRequest, scope: str, name: str,
                          version_id: str) -> HttpResponse:
    arn = arn_for(scope, name)
    version = iam.get_policy_version(get_caller(request), arn, version_id)
    return render(request, "console/policies/version.html", {
        "policy": version.policy, "version": version, "summary": summarize(version.document)})


def _deletable_at_limit(caller, policy) -> list[str] | None:
    """At the five-version limit, the non-default versions the editor offers to delete (None
    below it, or when the caller may not list the versions: saving then fails as AWS's does)."""
    versions, denied = readable(lambda: list(iam.list_policy_versions(caller, policy.arn)))
    if denied or versions is None or len(versions) < MAX_VERSIONS:
        return None
    return [v.version_id for v in versions if not v.is_default]


@console_view("iam:GetPolicyVersion", policy_resource, methods=("GET",))
def policy_version_compare(request: HttpRequest, scope: str, name: str) -> HttpResponse:
    """Two versions of a managed policy side by side as a unified diff (?from=v1&to=v2; from
    defaults to the default version, to to the newest)."""
    caller = get_caller(request)
    arn = arn_for(scope, name)
    versions = list(iam.list_policy_versions(caller, arn))
    ids = [v.version_id for v in versions]
    default = next((v.version_id for v in versions if v.is_default), ids[0])
    newest = max(versions, key=lambda v: v.number).version_id
    left_id = request.GET.get("from") or default
    right_id = request.GET.get("to") or newest
    left = iam.get_policy_version(caller, arn, left_id)
    right = iam.get_policy_version(caller, arn, right_id)
    return render(request, "console/policies/compare.html", {
        "policy": left.policy, "left": left, "right": right, "version_ids": ids,
        "diff": diff_lines(left.document, right.document)})


@console_view("iam:CreatePolicyVersion", policy_resource)
def policy_version_create(request: HttpRequest, scope: str, name: str) -> HttpResponse:
    """The policy editor: saving creates a new version (AWS keeps at most five)."""
    caller = get_caller(request)
    policy = iam.get_policy(caller, arn_for(scope, name))
    deletable = _deletable_at_limit(caller, policy)
    if request.method == "POST":
        form = PolicyVersionForm(request.POST, deletable=deletable)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data.get("delete_version"):
                    version = iam.replace_policy_version(
                        caller, policy.arn, data["delete_version"], data["policy_document"],
                        set_as_default=data["set_as_default"], revision=data["revision"])
                else:
                    version = iam.create_policy_version(
                        caller, policy.arn, data["policy_document"],
                        set_as_default=data["set_as_default"], revision=data["revision"])
            except IAMError as exc:
                form.apply_error(exc)
            else:
                deleted = f" and deleted {data['delete_version']}" \
                    if data.get("delete_version") else ""
                return changed(request, detail_url(policy, "versions"),
                               f"Created version {version.version_id} of {policy.name}"
                               f"{deleted}.")
    else:
        form = PolicyVersionForm(initial={
            "policy_document": iam.default_version(policy).document,
            "revision": policy.revision, "set_as_default": True}, deletable=deletable)
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
