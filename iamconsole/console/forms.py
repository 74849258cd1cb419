"""Console forms: they only parse input. The rules (names, paths, tags, policy grammar, quotas)
are the domain's; its errors come back through `apply_error` next to the field they concern."""

from __future__ import annotations

import json

from django import forms
from django.urls import reverse_lazy

from iamconsole.iam import kinds
from iamconsole.iam.errors import AccessDenied, ConcurrentModification, IAMError

PATH_HELP = "Optional. Starts and ends with /, e.g. /engineering/."
TAGS_HELP = "One tag per line as key=value."


class ConsoleForm(forms.Form):
    # Domain error fields that are named differently in the form.
    aliases: dict[str, str | None] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stale = False  # a ConcurrentModification: someone else saved first
        self.denied = False  # the domain refused the change (AccessDenied)
        self.findings: list = []  # policy-validation findings of a rejected document

    def apply_error(self, exc: IAMError) -> None:
        """Put a domain error next to its field (or at the top of the form)."""
        self.findings = list(exc.findings)
        self.denied = isinstance(exc, AccessDenied)
        if isinstance(exc, ConcurrentModification):
            self.stale = True
            self.add_error(None, exc.message)
            return
        field = self.aliases.get(exc.field, exc.field) if exc.field else None
        if field and field in self.fields and not self.fields[field].widget.is_hidden:
            self.add_error(field, exc.message)
        else:
            self.add_error(None, exc.message)


class TagsField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs):
        super().__init__(required=False, help_text=TAGS_HELP, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        tags: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            key, sep, val = line.partition("=")
            if not sep or not key.strip():
                raise forms.ValidationError(f"Line {number}: write the tag as key=value.")
            tags[key.strip()] = val.strip()
        return tags


def policy_textarea(kind: str = "identity") -> forms.Textarea:
    """The policy editor: validated as you type by POST /policies/validate/ (htmx); without
    JavaScript it is a plain textarea validated on save."""
    return forms.Textarea(attrs={
        "class": "code", "rows": 18, "spellcheck": "false", "autocomplete": "off",
        "hx-post": reverse_lazy("console:policy_validate"),
        "hx-trigger": "load, input changed delay:400ms",
        "hx-target": "#findings", "hx-swap": "innerHTML", "hx-sync": "this:replace",
        "hx-vals": json.dumps({"kind": kind}),
    })


class PolicyChoiceField(forms.ChoiceField):
    """A <select> offering some managed policies (a picker: the first ones by name, a search box
    for the others) that accepts any existing one: `find_policy(arn)` returns it or None."""

    default_error_messages = {"invalid_choice": "No managed policy has the ARN %(value)s."}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.picker = None
        self.find_policy = None

    def offer(self, picker, find_policy) -> None:
        self.picker = picker
        self.choices = picker.choices() if picker is not None else []
        self.find_policy = find_policy

    def valid_value(self, value) -> bool:
        return super().valid_value(value) or (
            self.find_policy is not None and self.find_policy(str(value)) is not None)


class RevisionMixin(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)


class BoundaryCreateForm(ConsoleForm):
    """A create form with a permissions boundary picker (users and roles): the subclass
    declares `permissions_boundary = PolicyChoiceField(...)` where it belongs in its fields."""

    aliases = {"policy_arn": "permissions_boundary"}

    def __init__(self, *args, boundary_picker=None, find_policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions_boundary"].offer(boundary_picker, find_policy)


class UserCreateForm(BoundaryCreateForm):
    user_name = forms.CharField(max_length=64, label="User name")
    path = forms.CharField(required=False, initial="/", help_text=PATH_HELP)
    permissions_boundary = PolicyChoiceField(required=False, label="Permissions boundary")
    tags = TagsField()


def rename_form(kind) -> type[ConsoleForm]:
    """The edit form of a kind that is renamed and moved (UpdateUser, UpdateGroup: its new name
    `new_<kind>_name`, at most the kind's name length, and its new path)."""
    fields = {
        f"new_{kind.key}_name": forms.CharField(max_length=kind.name_max,
                                                label=f"{kind.label} name"),
        "new_path": forms.CharField(required=False, label="Path", help_text=PATH_HELP),
    }
    return type(f"{kind.noun}EditForm", (ConsoleForm, RevisionMixin), fields)


UserEditForm = rename_form(kinds.USER)


class GroupCreateForm(ConsoleForm):
    group_name = forms.CharField(max_length=128, label="Group name")
    path = forms.CharField(required=False, initial="/", help_text=PATH_HELP)


GroupEditForm = rename_form(kinds.GROUP)
ServerCertificateEditForm = rename_form(kinds.SERVER_CERTIFICATE)


DEFAULT_TRUST_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Service": "ec2.amazonaws.com"},
      "Action": "sts:AssumeRole"
    }
  ]
}"""

DEFAULT_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [],
      "Resource": "*"
    }
  ]
}"""


class RoleCreateForm(BoundaryCreateForm):
    role_name = forms.CharField(max_length=64, label="Role name")
    path = forms.CharField(required=False, initial="/", help_text=PATH_HELP)
    description = forms.CharField(required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    assume_role_policy_document = forms.CharField(
        label="Trust policy", initial=DEFAULT_TRUST_POLICY,
        widget=policy_textarea("trust"),
        help_text="Who may assume the role (JSON).")
    max_session_duration = forms.IntegerField(
        required=False, initial=3600, label="Maximum session duration (seconds)",
        help_text="Between 3600 and 43200.")
    permissions_boundary = PolicyChoiceField(required=False, label="Permissions boundary")
    tags = TagsField()


class InstanceProfileCreateForm(ConsoleForm):
    instance_profile_name = forms.CharField(max_length=128, label="Instance profile name")
    path = forms.CharField(required=False, initial="/", help_text=PATH_HELP)
    tags = TagsField()


class UnechoedTextarea(forms.Textarea):
    """A textarea that never renders the value it was posted (a private key)."""

    def format_value(self, value):
        return None


class ServerCertificateUploadForm(ConsoleForm):
    server_certificate_name = forms.CharField(max_length=128, label="Certificate name")
    path = forms.CharField(required=False, initial="/", help_text=PATH_HELP)
    certificate_body = forms.CharField(
        max_length=16384, strip=False, label="Certificate body (PEM)",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false",
                                     "placeholder": "-----BEGIN CERTIFICATE-----"}))
    private_key = forms.CharField(
        max_length=16384, strip=False, label="Private key (PEM)",
        help_text="Stored encrypted; it is never shown again.",
        widget=UnechoedTextarea(attrs={"rows": 8, "spellcheck": "false",
                                       "autocomplete": "off",
                                       "placeholder": "-----BEGIN PRIVATE KEY-----"}))
    certificate_chain = forms.CharField(
        required=False, max_length=2097152, strip=False, label="Certificate chain (PEM)",
        help_text="Optional. The certificates that signed it, its issuer first.",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}))
    tags = TagsField()


_ENCRYPTION_CHOICES = [("", "(unchanged / not set)"), ("Allowed", "Allowed"),
                       ("Required", "Required")]


class SAMLProviderCreateForm(ConsoleForm):
    saml_provider_name = forms.CharField(max_length=128, label="Provider name")
    saml_metadata_document = forms.CharField(
        max_length=10_000_000, strip=False, label="Metadata document (XML)",
        help_text="The IdP's SAML 2.0 metadata (md:EntityDescriptor with its signing "
                  "certificate).",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}))
    assertion_encryption_mode = forms.ChoiceField(choices=_ENCRYPTION_CHOICES, required=False,
                                                  label="Assertion encryption")
    add_private_key = forms.CharField(
        required=False, max_length=16384, strip=False, label="Private key (PEM)",
        help_text="Optional: decrypts encrypted assertions. Stored encrypted, never shown.",
        widget=UnechoedTextarea(attrs={"rows": 6, "spellcheck": "false",
                                       "autocomplete": "off"}))
    tags = TagsField()


class SAMLProviderEditForm(ConsoleForm, RevisionMixin):
    saml_metadata_document = forms.CharField(
        required=False, max_length=10_000_000, strip=False, label="New metadata document",
        help_text="Leave empty to keep the current one.",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}))
    assertion_encryption_mode = forms.ChoiceField(choices=_ENCRYPTION_CHOICES, required=False,
                                                  label="Assertion encryption")
    add_private_key = forms.CharField(
        required=False, max_length=16384, strip=False, label="Add a private key (PEM)",
        widget=UnechoedTextarea(attrs={"rows": 6, "spellcheck": "false",
                                       "autocomplete": "off"}))
    remove_private_key = forms.CharField(required=False, max_length=64,
                                         label="Remove the private key with id")


class RoleNameForm(forms.Form):
    role_name = forms.CharField(max_length=64)


class RoleEditForm(ConsoleForm, RevisionMixin):
    description = forms.CharField(required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    max_session_duration = forms.IntegerField(label="Maximum session duration (seconds)",
                                              help_text="Between 3600 and 43200.")


class TrustPolicyForm(ConsoleForm, RevisionMixin):
    policy_document = forms.CharField(label="Trust policy",
                                      widget=policy_textarea("trust"))


class PolicyCreateForm(ConsoleForm):
    policy_name = forms.CharField(max_length=128, label="Policy name")
    path = forms.CharField(required=False, initial="/", help_text=PATH_HELP)
    description = forms.CharField(required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    policy_document = forms.CharField(label="Policy document", initial=DEFAULT_POLICY,
                                      widget=policy_textarea())
    tags = TagsField()


class PolicyVersionForm(ConsoleForm, RevisionMixin):
    policy_document = forms.CharField(label="Policy document",
                                      widget=policy_textarea())
    set_as_default = forms.BooleanField(required=False, initial=True,
                                        label="Set as the default version")
    delete_version = forms.ChoiceField(
        label="Version to delete", required=True,
        help_text="The policy has the maximum of five versions: saving deletes the version "
                  "chosen here and creates the new one, both or neither.")

    def __init__(self, *args, deletable: list[str] | None = None, **kwargs):
        """`deletable`: the non-default versions to choose from at the five-version limit
        (None below it: no choice asked)."""
        super().__init__(*args, **kwargs)
        if deletable is None:
            del self.fields["delete_version"]
        else:
            self.fields["delete_version"].choices = [("", "Choose a version")] + [
                (version_id, version_id) for version_id in deletable]


class PolicyDescriptionForm(ConsoleForm, RevisionMixin):
    description = forms.CharField(required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class InlinePolicyForm(ConsoleForm):
    policy_name = forms.CharField(max_length=128, label="Policy name")
    policy_document = forms.CharField(label="Policy document", initial=DEFAULT_POLICY,
                                      widget=policy_textarea())


class TagForm(ConsoleForm):
    aliases = {"tags": "key"}
    key = forms.CharField(max_length=128)
    value = forms.CharField(max_length=256, required=False)


class GroupNameForm(ConsoleForm):
    group_name = forms.CharField(label="Group")


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False)
    action = forms.CharField(required=False, help_text="e.g. iam:CreateUser")
    resource_type = forms.ChoiceField(required=False, label="Resource type", choices=[
        ("", "Any"), ("user", "User"), ("group", "Group"), ("role", "Role"),
        ("policy", "Policy"), ("mfa", "MFA device"), ("account", "Account"),
    ])
    resource_name = forms.CharField(required=False, label="Resource name")
    result = forms.ChoiceField(required=False, label="Result", choices=[
        ("", "Any"), ("failed", "Failed or denied"), ("denied", "Denied (AccessDenied)"),
        ("success", "Succeeded"),
    ])
    since = forms.DateField(required=False, label="From",
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To",
                            widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date must not be before the start date.")
        return data


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class OpenIDConnectProviderCreateForm(ConsoleForm):
    aliases = {"client_id_list": "client_ids", "thumbprint_list": "thumbprints"}

    url = forms.CharField(max_length=255, label="Provider URL",
                          help_text="https://host[/path]: the issuer (iss) of its ID tokens.")
    client_ids = forms.CharField(
        required=False, label="Audiences (client IDs)", help_text="One a line, at most 100 "
        "(sts.amazonaws.com for GitHub Actions and Kubernetes).",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}))
    thumbprints = forms.CharField(
        required=False, label="Thumbprints", help_text="Optional: SHA-1 of the provider's "
        "certificates, 40 hex digits, one a line, at most 5.",
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}))
    tags = TagsField()

    def clean_client_ids(self):
        return _lines(self.cleaned_data["client_ids"])

    def clean_thumbprints(self):
        return _lines(self.cleaned_data["thumbprints"])


class ClientIDForm(forms.Form):
    client_id = forms.CharField(max_length=255, label="Audience (client ID)")
