"""Forms of the organization pages: they only parse input; AWS Organizations' rules (names,
quotas, policy grammar, who may manage) are the domain's (`iamconsole.orgs.services`), whose
errors come back next to the field they concern (`apply_error`)."""

from __future__ import annotations

import json

from django import forms
from django.urls import reverse_lazy

from iamconsole.orgs.models import RCP, SCP

from .forms import ConsoleForm

POLICY_TYPE_CHOICES = [(SCP, "Service control policy (SCP)"),
                       (RCP, "Resource control policy (RCP)")]
VALIDATION_KIND = {SCP: "scp", RCP: "rcp"}
DEFAULT_CONTENT = {
    SCP: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "", "Resource": "*"}]}, indent=2),
    RCP: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "", "Resource": "*"}]}, indent=2),
}


def content_textarea(policy_type: str) -> forms.Textarea:
    """The IAM policy editor (live validation through POST /policies/validate/), validating
    with the grammar of SCPs or RCPs."""
    return forms.Textarea(attrs={
        "class": "code", "rows": 18, "spellcheck": "false", "autocomplete": "off",
        "hx-post": reverse_lazy("console:policy_validate"),
        "hx-trigger": "load, input changed delay:400ms",
        "hx-target": "#findings", "hx-swap": "innerHTML", "hx-sync": "this:replace",
        "hx-vals": json.dumps({"kind": VALIDATION_KIND[policy_type]}),
    })


class OrgForm(ConsoleForm):
    """Organizations errors carry no field: `aliases` maps an error code to the field."""

    code_fields: dict[str, str] = {}

    def apply_error(self, exc) -> None:
        field = self.code_fields.get(exc.code)
        if field and field in self.fields:
            self.findings = list(exc.findings)
            self.add_error(field, exc.message)
        else:
            super().apply_error(exc)


class OrgPolicyForm(OrgForm):
    code_fields = {"DuplicatePolicyException": "name",
                   "MalformedPolicyDocumentException": "policy_document",
                   "ConstraintViolationException": "policy_document"}

    name = forms.CharField(max_length=128, label="Policy name")
    description = forms.CharField(required=False, max_length=512,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    # Named as the IAM editor's field: POST /policies/validate/ reads `policy_document`.
    policy_document = forms.CharField(label="Policy document", strip=False)

    def __init__(self, *args, policy_type: str = SCP, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_document"].widget = content_textarea(policy_type)
        if not self.is_bound and "policy_document" not in self.initial:
            self.initial["policy_document"] = DEFAULT_CONTENT[policy_type]


class CreateAccountForm(OrgForm):
    account_name = forms.CharField(max_length=50, label="Account name")
    email = forms.EmailField(max_length=64, label="Email address of the account's owner")


class UnitNameForm(OrgForm):
    code_fields = {"DuplicateOrganizationalUnitException": "name",
                   "ConstraintViolationException": "name"}
    name = forms.CharField(max_length=128, label="OU name")


class CreateUnitForm(UnitNameForm):
    parent_id = forms.CharField(max_length=100, widget=forms.HiddenInput)


class MoveAccountForm(OrgForm):
    source_parent_id = forms.CharField(max_length=100, widget=forms.HiddenInput)
    destination_parent_id = forms.ChoiceField(label="Move to")


class AttachForm(OrgForm):
    policy_id = forms.CharField(max_length=130, label="Policy")
    target_id = forms.CharField(max_length=100, label="Target")


class PolicyTypeForm(OrgForm):
    policy_type = forms.ChoiceField(choices=POLICY_TYPE_CHOICES)


class AliasForm(ConsoleForm):
    account_alias = forms.CharField(max_length=63, label="Account alias")
