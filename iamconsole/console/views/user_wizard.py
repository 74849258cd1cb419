"""Create a user as one flow (AWS's "Create user"): name and path, console access (a generated
or typed password, shown once, optionally to be changed at first sign-in), groups, managed
policies (chosen, or copied from an existing user), permissions boundary, tags and an optional
access key (shown once, with a CSV download), then a review step; it is all created in one
change by iam.services.create_user_with_access, each step authorized on the caller's policies."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import render
from django.urls import reverse

from iamconsole.iam import kinds
from iamconsole.iam import services as iam
from iamconsole.iam.errors import AccessDenied, IAMError
from iamconsole.iam.services.policies import policies_with_arns

from .. import pickers
from ..auth import allowed, console_view, get_caller
from ..forms import PATH_HELP, ConsoleForm, PolicyChoiceField, TagsField
from .common import form_page, readable
from .users import PAGE

CHOSEN_MAX = 100  # the chosen values of one field a search carries along
ACCESS = (("none", "No console access"), ("generated", "Console access, generated password"),
          ("custom", "Console access, password typed here"))


class ChosenField:
    """A picker's field that accepts any value: the picker offers the first ones and a search
    box for the others, and the domain reports a name or ARN that does not exist (NoSuchEntity,
    shown next to the field)."""

    picker = None

    def offer(self, picker) -> None:
        self.picker = picker
        self.choices = picker.choices() if picker is not None else []

    def valid_value(self, value) -> bool:
        return True


class ChosenMany(ChosenField, forms.MultipleChoiceField):
    pass


class ChosenOne(ChosenField, forms.ChoiceField):
    pass


class GuidedUserForm(ConsoleForm):
    user_name = forms.CharField(max_length=64, label="User name")
    path = forms.CharField(required=False, initial="/", help_text=PATH_HELP)
    console_access = forms.ChoiceField(choices=ACCESS, initial="none", widget=forms.RadioSelect,
                                       label="Console access")
    password = forms.CharField(required=False, label="Custom password",
                               widget=forms.PasswordInput(render_value=True,
                                                          attrs={"autocomplete": "new-password"}))
    password_reset_required = forms.BooleanField(required=False, initial=True,
                                                 label="User must create a new password at "
                                                       "next sign-in")
    groups = ChosenMany(required=False, label="Groups",
                        widget=forms.SelectMultiple(attrs={"size": 6}))
    policy_arns = ChosenMany(required=False, label="Attach policies",
                             widget=forms.SelectMultiple(attrs={"size": 8}))
    copy_policies_from = ChosenOne(required=False, label="Copy attached policies from user")
    permissions_boundary = PolicyChoiceField(required=False, label="Permissions boundary")
    tags = TagsField()
    access_key = forms.BooleanField(required=False, label="Create an access key")

    aliases = {"policy_arn": "policy_arns", "group_name": "groups"}
    steps = (("User details", ("user_name", "path")),
             ("Console access", ("console_access", "password", "password_reset_required")),
             ("Permissions", ("groups", "policy_arns", "copy_policies_from",
                              "permissions_boundary")),
             ("Tags and access key", ("tags", "access_key")))

    def sections(self) -> list[tuple[str, list]]:
        """The form's steps, each a titled list of bound fields."""
        return [(title, [self[name] for name in names]) for title, names in self.steps]

    def __init__(self, *args, pickers_by_field=None, boundary_picker=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, picker in (pickers_by_field or {}).items():
            self.fields[name].offer(picker)
        self.fields["permissions_boundary"].offer(boundary_picker, pickers.find_policy)

    def clean(self):
        data = super().clean()
        if data.get("console_access") == "custom" and not data.get("password"):
            self.add_error("password", "Type the password, or let one be generated.")
        return data


PICKED = ("groups", "policy_arns", "copy_policies_from")


def field_picker(request: HttpRequest, field: str, chosen: list[str],
                 query: str = "") -> pickers.Picker | None:
    """The picker of one of the form's choices (None when the caller may not list what it
    offers): `chosen` stays chosen, the first others matching `query` are offered."""
    caller = get_caller(request)
    url = reverse("console:user_create_options") + "?" + urlencode({"field": field})
    chosen = [value for value in chosen if value][:CHOSEN_MAX]
    try:
        if field == "groups":
            groups = iam.list_groups(caller, path_prefix=None)
            return pickers.multi_picker(
                "id_groups", groups, groups.filter(name__in=chosen), value=lambda g: g.name,
                label=lambda g: g.name, query=query, search_url=url, noun="group",
                plural="groups", usable=lambda g: allowed(request, "iam:AddUserToGroup", g.arn))
        if field == "policy_arns":
            policies = iam.list_policies(caller, counts=False)
            return pickers.multi_picker(
                "id_policy_arns", policies, policies_with_arns(policies, chosen),
                value=lambda p: p.arn, label=pickers.policy_label, query=query,
                search_url=url, noun="policy", plural="policies")
        users = iam.list_users(caller, path_prefix=None)
        return pickers.multi_picker(
            "id_copy_policies_from", users, users.filter(name__in=chosen[:1]),
            value=lambda u: u.name, label=lambda u: u.name, query=query, search_url=url,
            noun="user", plural="users", none="Do not copy")
    except AccessDenied:  # the caller may create users without listing these: offer none
        return None


def _form_kwargs(request: HttpRequest) -> dict:
    data = request.POST
    policies, _ = readable(lambda: iam.list_policies(get_caller(request), counts=False))
    return {
        "pickers_by_field": {field: field_picker(request, field, data.getlist(field))
                             for field in PICKED},
        "boundary_picker": pickers.create_boundary_picker(
            request, policies, kind="user", action="iam:CreateUser",
            resource=kinds.USER.arn("*"), keep=data.get("permissions_boundary", "")),
    }


@console_view("iam:CreateUser", kinds.USER.any_arn, methods=("GET",))
def user_create_options(request: HttpRequest) -> HttpResponse:
    """GET ?field=groups&q=dev&groups=admins — the <option>s of one of the form's pickers: the
    chosen ones (sent along by the search box) and the first others whose name contains "dev"."""
    field = request.GET.get("field", "")
    if field not in PICKED:
        return HttpResponseBadRequest("field: " + ", ".join(PICKED))
    picker = field_picker(request, field, request.GET.getlist(field),
                          request.GET.get("q", "").strip()[:128])
    if picker is None:
        return HttpResponseForbidden("You may not list these.")
    return render(request, "console/policy_options.html", {"picker": picker})


def _csv(made: iam.NewUser) -> str:
    """The access key as AWS's "Download .csv file" gives it, as a data: URI."""
    key = made.access_key
    text = ("User name,Access key ID,Secret access key\r\n"
            f"{made.user.name},{key.access_key.access_key_id},{key.secret_access_key}\r\n")
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


@console_view("iam:CreateUser", kinds.USER.any_arn)
def user_create_guided(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    review = None
    if request.method == "POST":
        form = GuidedUserForm(request.POST, **_form_kwargs(request))
        if form.is_valid():
            data = form.cleaned_data
            if "review" in request.POST:
                review = data
            else:
                password = {"none": None, "generated": iam.generated_password(),
                            "custom": data["password"]}[data["console_access"]]
                try:
                    made = iam.create_user_with_access(
                        caller, data["user_name"], path=data["path"] or "/",
                        permissions_boundary=data["permissions_boundary"] or None,
                        tags=data["tags"] or None, password=password,
                        password_reset_required=data["password_reset_required"],
                        groups=data["groups"], policy_arns=data["policy_arns"],
                        copy_policies_from=data["copy_policies_from"] or None,
                        access_key=data["access_key"])
                except IAMError as exc:
                    form.apply_error(exc)
                else:
                    response = render(request, "console/users/created_guided.html", {
                        "made": made, "csv": _csv(made) if made.access_key else "",
                        "detail_url": PAGE.url("detail", [made.user.name])})
                    response["Cache-Control"] = "no-store"  # the secrets are on it
                    return response
    else:
        kwargs = _form_kwargs(request)
        boundary = kwargs["boundary_picker"]
        form = GuidedUserForm(initial={"permissions_boundary": boundary.options[0].value
                                       if boundary.options else ""}, **kwargs)
    return form_page(request, "console/users/create_guided.html",
                     {"review": review, "urls": {"list": PAGE.url("list")}}, form)
