"""Forms of the sign-in, password and MFA pages. They parse input; the rules live in the domain
layer (iamconsole.iam.services) and in the password validators (AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation

from iamconsole.iam.services.passwords import POLICY_FIELDS

CODE_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}",
              "maxlength": "6", "size": "8"}


class LoginForm(forms.Form):
    account = forms.CharField(label="Account ID (12 digits) or account alias", max_length=63,
                              required=False, strip=True,
                              help_text="Leave empty for this installation's default account.",
                              widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    username = forms.CharField(label="User name", max_length=256, strip=True,
                               widget=forms.TextInput(attrs={"autocomplete": "username",
                                                             "autofocus": True}))
    password = forms.CharField(label="Password", max_length=4096, strip=False,
                               widget=forms.PasswordInput(attrs={
                                   "autocomplete": "current-password"}))


class SwitchRoleForm(forms.Form):
    """AWS console "Switch role": an account (id or alias) and a role name (with its path)."""

    account = forms.CharField(label="Account ID (12 digits) or account alias", max_length=63,
                              strip=True)
    role = forms.RegexField(label="Role name (with its path, if any: eng/deploy)",
                            max_length=576, regex=r"^[\w+=,.@/-]+$", strip=True,
                            error_messages={"invalid": "Enter a role name such as "
                                                       "OrganizationAccountAccessRole."})


class MFACodeForm(forms.Form):
    code = forms.RegexField(label="MFA code", regex=r"^\d{6}$", strip=True,
                            error_messages={"invalid": "Enter the 6-digit code from your app."},
                            widget=forms.TextInput(attrs={**CODE_ATTRS, "autofocus": True}))


class TwoCodesForm(forms.Form):
    """EnableMFADevice / ResyncMFADevice: two consecutive codes."""

    code1 = forms.RegexField(label="MFA code 1", regex=r"^\d{6}$", strip=True,
                             error_messages={"invalid": "Enter a 6-digit code."},
                             widget=forms.TextInput(attrs=CODE_ATTRS))
    code2 = forms.RegexField(label="MFA code 2 (the next code the app shows)",
                             regex=r"^\d{6}$", strip=True,
                             error_messages={"invalid": "Enter a 6-digit code."},
                             widget=forms.TextInput(attrs=CODE_ATTRS))


class DeviceNameForm(forms.Form):
    device_name = forms.CharField(label="Device name", max_length=226,
                                  help_text="A name for this authenticator app, unique in the "
                                            "account.")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="Current password", strip=False,
                                   widget=forms.PasswordInput(attrs={
                                       "autocomplete": "current-password"}))
    new_password1 = forms.CharField(label="New password", strip=False,
                                    widget=forms.PasswordInput(attrs={
                                        "autocomplete": "new-password"}))
    new_password2 = forms.CharField(label="Confirm new password", strip=False,
                                    widget=forms.PasswordInput(attrs={
                                        "autocomplete": "new-password"}))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["new_password1"].help_text = \
            password_validation.password_validators_help_text_html()

    def clean(self):
        data = super().clean()
        new1, new2 = data.get("new_password1"), data.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", "The two new passwords do not match.")
        if new1:
            # Every rule that fails, each with its own message, all at once (the domain
            # operation checks them again; this only lists them next to the field).
            try:
                password_validation.validate_password(new1, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return data


def _bounds(field: str) -> tuple[int, int]:
    return POLICY_FIELDS[field][1]


class PasswordPolicyForm(forms.Form):
    """UpdateAccountPasswordPolicy with AWS's field names and limits."""

    MinimumPasswordLength = forms.IntegerField(
        label="Minimum password length (MinimumPasswordLength)",
        min_value=_bounds("minimum_password_length")[0],
        max_value=_bounds("minimum_password_length")[1], initial=8,
        help_text="6 to 128 characters.")
    RequireUppercaseCharacters = forms.BooleanField(
        label="Require at least one uppercase letter (RequireUppercaseCharacters)", required=False)
    RequireLowercaseCharacters = forms.BooleanField(
        label="Require at least one lowercase letter (RequireLowercaseCharacters)", required=False)
    RequireNumbers = forms.BooleanField(
        label="Require at least one number (RequireNumbers)", required=False)
    RequireSymbols = forms.BooleanField(
        label="Require at least one symbol ! @ # $ % ^ & * ( ) _ + - = [ ] { } | ' "
              "(RequireSymbols)", required=False)
    AllowUsersToChangePassword = forms.BooleanField(
        label="Allow users to change their own password (AllowUsersToChangePassword)",
        required=False)
    MaxPasswordAge = forms.IntegerField(
        label="Password expires after this many days (MaxPasswordAge)", required=False,
        min_value=_bounds("max_password_age")[0], max_value=_bounds("max_password_age")[1],
        help_text="1 to 1095 days; leave empty for passwords that never expire.")
    PasswordReusePrevention = forms.IntegerField(
        label="Prevent reuse of this many previous passwords (PasswordReusePrevention)",
        required=False, min_value=_bounds("password_reuse_prevention")[0],
        max_value=_bounds("password_reuse_prevention")[1],
        help_text="1 to 24; leave empty to allow reuse.")
    HardExpiry = forms.BooleanField(
        label="Expired passwords need an administrator reset (HardExpiry)", required=False)

    # AWS field name → the domain operation's keyword.
    FIELD_MAP = {
        "MinimumPasswordLength": "minimum_password_length",
        "RequireSymbols": "require_symbols",
        "RequireNumbers": "require_numbers",
        "RequireUppercaseCharacters": "require_uppercase_characters",
        "RequireLowercaseCharacters": "require_lowercase_characters",
        "AllowUsersToChangePassword": "allow_users_to_change_password",
        "MaxPasswordAge": "max_password_age",
        "PasswordReusePrevention": "password_reuse_prevention",
        "HardExpiry": "hard_expiry",
    }

    def domain_fields(self) -> dict:
        return {domain: self.cleaned_data.get(aws) for aws, domain in self.FIELD_MAP.items()}

    @classmethod
    def initial_from(cls, policy) -> dict:
        if policy is None:
            return {}
        return {aws: getattr(policy, domain) for aws, domain in cls.FIELD_MAP.items()}

    @classmethod
    def form_field(cls, domain_field: str | None) -> str | None:
        for aws, domain in cls.FIELD_MAP.items():
            if domain == domain_field:
                return aws
        return None


class AccountSettingsForm(forms.Form):
    require_mfa = forms.BooleanField(
        label="Require MFA for every console user", required=False,
        help_text="Users without an MFA device are taken to enrollment when they next sign in.")
