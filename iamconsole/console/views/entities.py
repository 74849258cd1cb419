"""The generic entity pages, in the style of NetBox's generic object views: one list, one detail
with tabs, create, edit, delete with confirmation and tag / untag, driven by the kind registry
(`iam.kinds`) and one small `EntityPage` class per kind (users.py, groups.py, roles.py,
policies.py), which keeps only what its kind really does differently (its tabs, its forms, its
truly special views). `urls(page)` gives every route of a kind.

Each view declares its IAM action on the entity's ARN (`console_view`), authorized before the
entity is looked up: a missing one is authorized on the ARN its name would have, and only then
is 404 (iam.services.lookup.authorize_missing).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from iamconsole.iam import audit, browse, kinds
from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError, ValidationError
from iamconsole.iam.kinds import Kind

from .. import pickers
from ..auth import allowed, console_view, create_contexts, get_caller, may_do_with_some_boundary
from ..forms import TagForm
from ..listing import build_listing
from . import identity
from .bulk import bulk_form
from .common import announce_change, changed, failed, form_page, in_place, readable


class EntityPage:
    """How the console shows one kind. Subclasses set the class attributes and override the
    methods where their kind differs."""

    kind: Kind
    var = ""  # the entity's name in its kind's own templates ("user_obj": `user` is taken)
    tabs: tuple[tuple[str, str], ...] = ()
    sorts: dict[str, str] = {}
    search_fields: tuple[str, ...] = ("name",)
    list_params: tuple[str, ...] = ()  # query parameters of the list besides q, path, tag
    list_action = ""  # "iam:ListUsers"
    list_template = "console/entity/list.html"
    form_template = "console/entity/form.html"  # create
    edit_template = "console/entity/form.html"
    create_form: Any = None
    edit_form: Any = None
    create_context: dict = {}
    home_tab = ""  # the tab of the entity's page after a create and on Cancel ("": default)
    edit_tab = ""  # the tab a saved edit goes to
    edit_action = "Update{noun}"
    create_action = "Create{noun}"  # AWS's operation of the create page (Upload{noun})
    editable = True  # False: the kind has no Update{noun} (no edit page)
    delete_warning = ""
    path_arg = "<str:name>"  # the entity's part of its URLs, after the kind's plural

    # --- addresses ------------------------------------------------------------------------

    def ident(self, kwargs: dict) -> str:
        """What the domain operations name the entity by (the name; a policy: its ARN)."""
        return kwargs["name"]

    def args(self, entity) -> list[str]:
        """URL arguments of `entity`."""
        return [entity.name]

    def request_args(self, kwargs: dict, ident: str, entity=None) -> list[str]:
        """URL arguments of this request's entity: its name as the request wrote it (a policy:
        its own scope and name; `entity` when the view has looked it up already)."""
        return [kwargs["name"]]

    def resource(self, request: HttpRequest, name: str, **_: Any) -> str:
        """The ARN an action on the entity is authorized on (see identity.entity_arn)."""
        return identity.entity_arn(self.kind.key)(request, name)

    def url(self, what: str, args: list[str] | None = None) -> str:
        return reverse(f"console:{self.kind.key}_{what}", args=args or [])

    def tab_url(self, args: list[str], tab: str = "") -> str:
        return self.url("detail", args) + (f"?tab={tab}" if tab else "")

    # --- reads ----------------------------------------------------------------------------

    def list(self, caller, request: HttpRequest, path_prefix: str):
        return self.kind.op("List{noun}s")(caller, path_prefix=path_prefix)

    def list_context(self, request: HttpRequest) -> dict:
        return {}

    def may_create(self, request: HttpRequest) -> bool:
        action = self.kind.action(self.create_action)
        if self.kind.has_boundary:
            return may_do_with_some_boundary(request, action, self.kind.arn("*"))
        return allowed(request, action, self.kind.arn("*"))

    def load(self, caller, ident: str):
        """The entity, read with the caller's authority (Get{noun})."""
        return self.kind.op("Get{noun}")(caller, ident)

    def find(self, ident: str):
        """The entity, looked up after the view was authorized."""
        return self.kind.find(ident)

    def context(self, entity) -> dict:
        return {self.var: entity, "entity": entity, "kind": self.kind}

    def tab_context(self, request: HttpRequest, entity, tab: str) -> dict:
        """What a kind's own tabs show (permissions and tags are generic)."""
        return {}

    def tab_template(self, tab: str) -> str:
        if tab == "permissions":
            return "console/identity/_permissions.html"
        if tab == "tags":
            return "console/entity/_tab_tags.html"
        if tab == "last_accessed":
            return "console/entity/_tab_last_accessed.html"
        if tab == "activity":
            return "console/entity/_tab_activity.html"
        return f"console/{self.kind.plural}/_tab_{tab}.html"

    def detail_template(self) -> str:
        return f"console/{self.kind.plural}/detail.html"

    def taggable(self, entity) -> bool:
        return True

    # --- writes ---------------------------------------------------------------------------

    def create_form_kwargs(self, request: HttpRequest) -> dict:
        if not self.kind.has_boundary:
            return {}
        policies, _ = readable(lambda: iam.list_policies(get_caller(request), counts=False))
        picker = pickers.create_boundary_picker(
            request, policies, kind=self.kind.key, action=self.kind.action("Create{noun}"),
            resource=self.kind.arn("*"), keep=request.POST.get("permissions_boundary", ""))
        return {"boundary_picker": picker, "find_policy": pickers.find_policy}

    def create_initial(self, form_kwargs: dict) -> dict | None:
        picker = form_kwargs.get("boundary_picker")
        if picker is None:
            return None
        return {"permissions_boundary": picker.options[0].value if picker.options else ""}

    def create(self, caller, data: dict):
        raise NotImplementedError

    def edit_initial(self, entity) -> dict:
        """The default edit renames and moves (UpdateUser, UpdateGroup: forms.rename_form)."""
        return {f"new_{self.kind.key}_name": entity.name, "new_path": entity.path,
                "revision": entity.revision}

    def update(self, caller, ident: str, entity, data: dict):
        """Save the edit; the entity as saved."""
        new_name = f"new_{self.kind.key}_name"
        return self.kind.op("Update{noun}")(caller, ident, **{new_name: data[new_name]},
                                            new_path=data["new_path"] or None,
                                            revision=data["revision"])

    def saved_message(self, entity) -> str:
        return f"Saved {self.kind.label.lower()} {entity.name}."

    def delete(self, caller, ident: str) -> None:
        self.kind.op("Delete{noun}")(caller, ident)


# --- tabs -------------------------------------------------------------------------------------

def tags_context(request: HttpRequest, page: EntityPage, entity) -> dict:
    kind, args = page.kind, page.args(entity)
    editable = page.taggable(entity)
    return {
        "can_tag": editable and allowed(request, kind.action("Tag{noun}"), entity.arn),
        "can_untag": editable and allowed(request, kind.action("Untag{noun}"), entity.arn),
        "tag_url": page.url("tag", args), "untag_url": page.url("untag", args),
    }


def last_accessed_context(request: HttpRequest, entity) -> dict:
    """The "Last accessed" tab: a report generated on the spot (as AWS's console does), the
    services used most recently first, then those never used in the tracking period."""
    caller = get_caller(request)

    def report():
        job_id = iam.generate_service_last_accessed_details(caller, entity.arn)
        return iam.get_service_last_accessed_details(caller, job_id)

    job, denied = readable(report)
    services = sorted(job.services, key=lambda s: (
        "LastAuthenticated" not in s,
        -s["LastAuthenticated"].timestamp() if "LastAuthenticated" in s else 0,
        s["ServiceName"].lower())) if job else []
    return {"job": job, "last_accessed": services, "last_accessed_denied": denied,
            "accessed_count": sum("LastAuthenticated" in s for s in services)}


LAST_ACCESSED_TAB = ("last_accessed", "Last accessed")
ACTIVITY_TAB = ("activity", "Activity")
ACTIVITY_LIMIT = 50


def activity_context(request: HttpRequest, page: EntityPage, entity) -> dict:
    """The "Activity" tab: the audit log's latest events about this entity, for a caller allowed
    cloudtrail:LookupEvents (others are told so: the events are not theirs to read)."""
    if not allowed(request, audit.LOOKUP_ACTION):
        return {"can_read_activity": False}
    events = audit.entity_events(get_caller(request), page.kind.key, entity.name)
    return {"can_read_activity": True, "events": list(events[:ACTIVITY_LIMIT]),
            "activity_limit": ACTIVITY_LIMIT,
            "activity_query": urlencode({"resource_type": page.kind.key,
                                         "resource_name": entity.name})}


def tab_context(request: HttpRequest, page: EntityPage, entity, tab: str) -> dict:
    if tab == "last_accessed":
        return last_accessed_context(request, entity)
    if tab == "activity":
        return activity_context(request, page, entity)
    if tab == "permissions":
        return identity.permissions_context(request, page.kind.key, entity)
    if tab == "tags":
        return tags_context(request, page, entity)
    return page.tab_context(request, entity, tab)


def tab_fragment(request: HttpRequest, page: EntityPage, ident: str, tab: str,
                 notice: str = "", **extra) -> HttpResponse:
    """One tab re-rendered after an in-place action (which announces the change: the page's
    summary cards refresh)."""
    entity = page.find(ident)
    context = {**page.context(entity), "tab": tab, "notice": notice,
               **tab_context(request, page, entity, tab), **extra}
    return announce_change(render(request, page.tab_template(tab), context))


def in_tab(request: HttpRequest, page: EntityPage, ident: str, tab: str, operation,
           message: str) -> HttpResponse:
    """An in-place action on one tab of an entity (its members, its credentials...): run the
    domain operation, re-render the tab (a plain POST: redirect back to it)."""
    return in_place(request, operation, url=page.tab_url([ident], tab), message=message,
                    fragment=lambda msg: tab_fragment(request, page, ident, tab, msg))


def tab_action(page: EntityPage, tab: str, action: str, run, message, *, resource=None):
    """A POST view for one in-place action on a tab of an entity (`in_tab`), authorized as
    `action` on the entity (or on `resource(request, **url kwargs)`):
    `run(caller, name, request, **url kwargs)` is the domain operation and
    `message(request, name, **url kwargs)` what the tab then says."""

    @console_view(action, resource or page.resource, methods=("POST",))
    def tab_action_view(request: HttpRequest, name: str, **kwargs: str) -> HttpResponse:
        return in_tab(request, page, name, tab,
                      lambda: run(get_caller(request), name, request, **kwargs),
                      message(request, name, **kwargs))

    return tab_action_view


def detail_context(request: HttpRequest, page: EntityPage, entity, tab: str) -> dict:
    context = {**page.context(entity), "tab": tab, "tabs": page.tabs,
               **tab_context(request, page, entity, tab)}
    args, kind = page.args(entity), page.kind
    context["urls"] = {**context.get("urls", {}), "list": page.url("list"),
                       "delete": page.url("delete", args)}
    context["actions"] = {"delete": kind.action("Delete{noun}")}
    if page.editable:
        context["urls"]["edit"] = page.url("edit", args)
        context["actions"]["update"] = kind.action(page.edit_action)
    context["entity_id"] = getattr(entity, kind.id_field) if kind.id_field else ""
    context.update(summary_context(request, page, entity))
    context["tab_template"] = page.tab_template(tab)
    return context


def summary_context(request: HttpRequest, page: EntityPage, entity) -> dict:
    """The summary cards of an entity's page (browse.entity_summary: one query) and the address
    they refresh from after an in-place change. They are the columns of the kind's list, so
    they are shown to whoever may list the kind (ListUsers...), as the list shows them."""
    may_list = bool(page.list_action) and allowed(request, page.list_action,
                                                  page.kind.any_arn())
    return {"summary_cards": browse.entity_summary(page.kind.key, entity) if may_list else [],
            "summary_url": page.url("summary", page.args(entity))}


# --- views ------------------------------------------------------------------------------------

def list_view(page: EntityPage):
    kind = page.kind

    @console_view(page.list_action, kind.any_arn, methods=("GET",))
    def entity_list(request: HttpRequest) -> HttpResponse:
        caller = get_caller(request)
        path_error = ""
        try:
            qs = page.list(caller, request, request.GET.get("path") or "/")
        except ValidationError as exc:
            path_error, qs = exc.message, page.list(caller, request, "/")
        listing = build_listing(request, qs, sortable=page.sorts, tags=kind.has_tags,
                                search_fields=page.search_fields, extra_params=page.list_params,
                                facts=browse.ROWS.get(kind.key))
        context = {"listing": listing, "path_error": path_error,
                   "can_create": page.may_create(request), **page.list_context(request),
                   "kind": kind, "urls": {"create": page.url("create")},
                   "table_template": f"console/{kind.plural}/_table.html",
                   "bulk": bulk_form(request, kind)}
        if request.htmx and request.htmx.target == "results":
            return render(request, context["table_template"], context)
        return render(request, page.list_template, context)

    return entity_list


def create_view(page: EntityPage):
    kind = page.kind
    action = kind.action(page.create_action)

    @console_view(action, kind.any_arn,
                  contexts=create_contexts(action) if kind.has_boundary else None)
    def entity_create(request: HttpRequest) -> HttpResponse:
        form_kwargs = page.create_form_kwargs(request)
        if request.method == "POST":
            form = page.create_form(request.POST, **form_kwargs)
            if form.is_valid():
                try:
                    entity = page.create(get_caller(request), form.cleaned_data)
                except IAMError as exc:
                    form.apply_error(exc)
                else:
                    done = "Uploaded" if page.create_action.startswith("Upload") else "Created"
                    return changed(request, page.tab_url(page.args(entity), page.home_tab),
                                   f"{done} {kind.label.lower()} {entity.name}.")
        else:
            form = page.create_form(initial=page.create_initial(form_kwargs), **form_kwargs)
        return form_page(request, page.form_template, {
            "creating": True, "kind": kind, "urls": {"list": page.url("list")},
            **page.create_context}, form)

    return entity_create


def detail_view(page: EntityPage):
    @console_view(page.kind.action("Get{noun}"), page.resource, methods=("GET",))
    def entity_detail(request: HttpRequest, **kwargs: str) -> HttpResponse:
        entity = page.load(get_caller(request), page.ident(kwargs))
        tabs = dict(page.tabs)
        tab = request.GET.get("tab", page.tabs[0][0])
        if tab not in tabs:
            tab = page.tabs[0][0]
        context = detail_context(request, page, entity, tab)
        if request.htmx and request.htmx.target == "tabbed":
            return render(request, "console/_tabbed.html", context)
        return render(request, page.detail_template(), context)

    return entity_detail


def summary_view(page: EntityPage):
    """The summary cards alone: fetched again by the page when an action in a tab announces a
    change (HX-Trigger entity-changed), authorized as the page itself."""

    @console_view(page.kind.action("Get{noun}"), page.resource, methods=("GET",))
    def entity_summary(request: HttpRequest, **kwargs: str) -> HttpResponse:
        entity = page.load(get_caller(request), page.ident(kwargs))
        response = render(request, "console/entity/_summary.html",
                          {**page.context(entity), **summary_context(request, page, entity)})
        response["Cache-Control"] = "no-store"
        return response

    return entity_summary


def edit_view(page: EntityPage):
    @console_view(page.kind.action(page.edit_action), page.resource)
    def entity_edit(request: HttpRequest, **kwargs: str) -> HttpResponse:
        ident = page.ident(kwargs)
        entity = page.load(get_caller(request), ident)
        if request.method == "POST":
            form = page.edit_form(request.POST)
            if form.is_valid():
                try:
                    entity = page.update(get_caller(request), ident, entity, form.cleaned_data)
                except IAMError as exc:
                    form.apply_error(exc)
                else:
                    return changed(request, page.tab_url(page.args(entity), page.edit_tab),
                                   page.saved_message(entity))
        else:
            form = page.edit_form(initial=page.edit_initial(entity))
        args = page.args(entity)
        return form_page(request, page.edit_template, {
            **page.context(entity),
            "urls": {"list": page.url("list"), "detail": page.url("detail", args)}}, form)

    return entity_edit


def delete_view(page: EntityPage):
    """Delete with confirmation. For a user, group, role or policy the page lists what still
    blocks the deletion and offers to remove it all and delete, once the name is typed
    (iam.services.dependencies: one transaction, each removal authorized and audited)."""
    kind = page.kind

    @console_view(kind.action("Delete{noun}"), page.resource)
    def entity_delete(request: HttpRequest, **kwargs: str) -> HttpResponse:
        ident = page.ident(kwargs)
        entity = page.find(ident)
        with_dependencies = kind.key in iam.DELETES_WITH_DEPENDENCIES
        error, status = "", 200
        if request.method == "POST":
            caller = get_caller(request)
            removing = with_dependencies and bool(request.POST.get("remove_dependencies"))
            try:
                if removing and request.POST.get("confirm", "").strip() != entity.name:
                    raise ValidationError(f"Type {entity.name} to confirm.", field="confirm")
                removed = (iam.delete_with_dependencies(caller, kind.key, ident) if removing
                           else page.delete(caller, ident))
            except IAMError as exc:
                if exc.code == "AccessDenied":
                    raise
                error, status = exc.message, exc.status
            else:
                done = f" and removed {len(removed)} dependencies" if removed else ""
                return changed(request, page.url("list"),
                               f"Deleted {kind.label.lower()} {kwargs['name']}{done}.")
        template = ("console/_confirm_delete.html" if request.htmx
                    else "console/confirm_delete.html")
        args = page.request_args(kwargs, ident, entity)
        dependencies = iam.deletion_dependencies(kind.key, entity) if with_dependencies else []
        return render(request, template, {
            "object_kind": kind.label.lower(), "object_name": entity.name, "error": error,
            "action_url": page.url("delete", args),
            "cancel_url": page.tab_url(args, page.home_tab),
            "warning": "" if with_dependencies else page.delete_warning,
            "dependencies": dependencies,
        }, status=status)

    return entity_delete


def _tag_context(request: HttpRequest, caller) -> list[dict]:
    key = request.POST.get("key", "")
    return [{"aws:TagKeys": [key], f"aws:RequestTag/{key}": request.POST.get("value", "")}]


def tag_view(page: EntityPage):
    kind = page.kind

    @console_view(kind.action("Tag{noun}"), page.resource, contexts=_tag_context,
                  methods=("POST",))
    def entity_tag(request: HttpRequest, **kwargs: str) -> HttpResponse:
        ident = page.ident(kwargs)
        url = page.tab_url(page.request_args(kwargs, ident), "tags")
        form = TagForm(request.POST)
        if not form.is_valid():
            message = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            return failed(request, ValidationError(message), url)
        key, value = form.cleaned_data["key"], form.cleaned_data["value"]
        return in_place(
            request, lambda: kind.op("Tag{noun}")(get_caller(request), ident, {key: value}),
            url=url, message=f"Tag {key} saved.",
            fragment=lambda msg: tab_fragment(request, page, ident, "tags", msg))

    return entity_tag


def untag_view(page: EntityPage):
    kind = page.kind

    @console_view(kind.action("Untag{noun}"), page.resource, methods=("POST",))
    def entity_untag(request: HttpRequest, **kwargs: str) -> HttpResponse:
        ident = page.ident(kwargs)
        url = page.tab_url(page.request_args(kwargs, ident), "tags")
        key = request.POST.get("key", "")
        return in_place(
            request, lambda: kind.op("Untag{noun}")(get_caller(request), ident, [key]),
            url=url, message=f"Tag {key} removed.",
            fragment=lambda msg: tab_fragment(request, page, ident, "tags", msg))

    return entity_untag


# --- routes -----------------------------------------------------------------------------------

def urls(page: EntityPage, *, collection: list | None = None, special: list | None = None
         ) -> list:
    """Every route of a kind: list, create, (`collection`: other routes without an entity),
    detail, edit (an editable kind), delete, tags when it has them, its permissions when it is
    an identity, and its `special` views. URL names are `<kind>_list`, `<kind>_detail`, ... ."""
    kind = page.kind
    base, one, key = kind.plural, f"{kind.plural}/{page.path_arg}", kind.key
    routes = [
        path(f"{base}/", list_view(page), name=f"{key}_list"),
        path(f"{base}/create/", create_view(page), name=f"{key}_create"),
        *(collection or []),
        path(f"{one}/", detail_view(page), name=f"{key}_detail"),
        path(f"{one}/summary/", summary_view(page), name=f"{key}_summary"),
        *([path(f"{one}/edit/", edit_view(page), name=f"{key}_edit")] if page.editable else []),
        path(f"{one}/delete/", delete_view(page), name=f"{key}_delete"),
    ]
    if kind.has_tags:
        routes += [path(f"{one}/tags/add/", tag_view(page), name=f"{key}_tag"),
                   path(f"{one}/tags/remove/", untag_view(page), name=f"{key}_untag")]
    if kind.key in kinds.IDENTITIES:
        routes += identity.urls(kind, one)
    return routes + (special or [])
