"""Create a user as one flow (AWS's "Create user"): name and path, console access (a generated
or typed password, shown once, optionally to be changed at first sign-in), groups, managed
policies (chosen, or copied from an existing user), permissions boundary, tags and an optional
access key (shown once, with a CSV download), then a review step; it is all created in one
change by iam.services.create_user_with_access, each step authorized on the caller's policies."""

from __future__ import annotations

import base64

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from iamconsole.iam import kinds
from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError

from ..auth import console_view, get_caller
from ..forms import PATH_HELP, ConsoleForm, TagsField
from .common import form_page
from .users import PAGE

CHOICES_MAX = 500  # the selects offer the first groups, policies and users by name
ACCESS = (("none", "No console access"), ("generated", "Console access, generated password"),
          ("custom", "Console access, password typed here"))


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
    groups = forms.MultipleChoiceField(required=False, label="Groups",
                                       widget=forms.SelectMultiple(attrs={"size": 5}))
    policy_arns = forms.MultipleChoiceField(required=False, label="Attach policies",
                                            widget=forms.SelectMultiple(attrs={"size": 6}))
    copy_policies_from = forms.ChoiceField(required=False,
                                           label="Copy attached policies from user")
    permissions_boundary = forms.ChoiceField(required=False, label="Permissions boundary")
    tags = TagsField()
    access_key = forms.BooleanField(required=False, label="Create an access key")

    aliases = {"policy_arn": "policy_arns", "group_name": "groups"}

    def __init__(self, *args, groups=(), policies=(), users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [(g.name, g.name) for g in groups]
        self.fields["policy_arns"].choices = [(p.arn, p.name) for p in policies]
        self.fields["permissions_boundary"].choices = [("", "No boundary")] + [
            (p.arn, p.name) for p in policies]
        self.fields["copy_policies_from"].choices = [("", "—")] + [(u.name, u.name)
                                                                   for u in users]

    def clean(self):
        data = super().clean()
        if data.get("console_access") == "custom" and not data.get("password"):
            self.add_error("password", "Type the password, or let one be generated.")
        return data


def _readable(read) -> list:
    try:
        return list(read()[:CHOICES_MAX])
    except IAMError:  # the caller may create users without listing these: offer none
        return []


def _choices(caller) -> dict:
    return {"groups": _readable(lambda: iam.list_groups(caller).order_by("name")),
            "policies": _readable(lambda: iam.list_policies(caller, counts=False)
                                  .order_by("name")),
            "users": _readable(lambda: iam.list_users(caller).exclude(is_root=True)
                               .order_by("name"))}


def _csv(made: iam.NewUser) -> str:
    """The access key as AWS's "Download .csv file" gives it, as a data: URI."""
    key = made.access_key
    text = ("User name,Access key ID,Secret access key\r\n"
            f"{made.user.name},{key.access_key.access_key_id},{key.secret_access_key}\r\n")
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


@console_view("iam:CreateUser", kinds.USER.any_arn)
def user_create_guided(request: HttpRequest) -> HttpResponse:
    caller = get_caller(request)
    choices = _choices(caller)
    review = None
    if request.method == "POST":
        form = GuidedUserForm(request.POST, **choices)
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
        form = GuidedUserForm(**choices)
    return form_page(request, "console/users/create_guided.html",
                     {"review": review, "urls": {"list": PAGE.url("list")}}, form)
