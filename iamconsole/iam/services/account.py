"""Account-level operations: aliases, account settings, GetAccountSummary."""

from __future__ import annotations

import re

from .. import audit, authz, kinds
from .. import identifiers as ids
from ..caller import Caller
from ..errors import EntityAlreadyExists, InvalidInput, NoSuchEntity, ValidationError
from ..models import (
    AccessKey,
    AccountSettings,
    Group,
    ManagedPolicy,
    PolicyVersion,
    Role,
    User,
    VirtualMFADevice,
)
from ._common import (
    MAX_ACCESS_KEYS,
    MAX_GROUPS_PER_USER,
    MAX_MANAGED_POLICIES_PER_IDENTITY,
    MAX_POLICY_VERSIONS,
    operation,
)

_ALIAS = re.compile(r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$")


@operation
def create_account_alias(caller: Caller, account_alias: str) -> AccountSettings:
    if not isinstance(account_alias, str) or not _ALIAS.match(account_alias) or \
            account_alias.isdigit():
        raise ValidationError(
            f"Value '{account_alias}' at 'accountAlias' failed to satisfy constraint: Member must "
            r"satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
            field="account_alias",
        )
    authz.check(caller, "iam:CreateAccountAlias", "*")
    # Aliases name accounts at sign-in: unique across every account held here, as on AWS.
    if AccountSettings.everywhere.filter(alias=account_alias).exclude(
            account_id=ids.account_id()).exists():
        raise EntityAlreadyExists(f"The account alias {account_alias} already exists.")
    settings = AccountSettings.load()
    old = settings.alias
    settings.alias = account_alias
    settings.save(update_fields=["alias"])
    audit.record(caller, "iam:CreateAccountAlias", resource_type="account",
                 resource_name=account_alias, old={"AccountAlias": old or None},
                 new={"AccountAlias": account_alias})
    return settings


@operation
def delete_account_alias(caller: Caller, account_alias: str) -> None:
    authz.check(caller, "iam:DeleteAccountAlias", "*")
    settings = AccountSettings.load()
    if settings.alias != account_alias:
        raise NoSuchEntity(f"The account alias {account_alias} cannot be found.")
    settings.alias = ""
    settings.save(update_fields=["alias"])
    audit.record(caller, "iam:DeleteAccountAlias", resource_type="account",
                 resource_name=account_alias, old={"AccountAlias": account_alias})


def list_account_aliases(caller: Caller) -> list[str]:
    authz.check(caller, "iam:ListAccountAliases", "*")
    alias = AccountSettings.load().alias
    return [alias] if alias else []


@operation
def update_account_settings(caller: Caller, *, require_mfa: bool) -> AccountSettings:
    """Not an AWS action: whether every console user must sign in with MFA. Governed by
    iam:UpdateAccountPasswordPolicy, the nearest AWS action for account sign-in rules."""
    authz.check(caller, "iam:UpdateAccountPasswordPolicy", "*")
    settings = AccountSettings.load()
    old = settings.require_mfa
    settings.require_mfa = bool(require_mfa)
    settings.save(update_fields=["require_mfa"])
    audit.record(caller, "iam:UpdateAccountSettings", resource_type="account",
                 resource_name="settings", old={"RequireMFA": old},
                 new={"RequireMFA": settings.require_mfa})
    return settings


def _family_count(*kind_keys: str) -> int:
    """How many entities of the registry's kinds `kind_keys` exist: 0 for a family iamconsole
    does not have yet (instance profiles, server certificates, identity providers), so the
    summary answers AWS's keys now and counts them once their kinds are registered."""
    return sum(kinds.KINDS[key].model.objects.count() for key in kind_keys
               if key in kinds.KINDS)


def get_account_summary(caller: Caller) -> dict[str, int]:
    """GetAccountSummary's SummaryMap: exactly the keys of botocore's summaryKeyType, counts of
    this account and, for quotas, AWS's default values (those this installation enforces)."""
    authz.check(caller, "iam:GetAccountSummary", "*")
    users = User.objects.filter(is_root=False)
    here = ids.account_id()
    root = User.objects.filter(is_root=True).first()
    return {
        "Users": users.count(),
        "UsersQuota": 5000,
        "Groups": Group.objects.count(),
        "GroupsQuota": 300,
        "Roles": Role.objects.count(),
        "RolesQuota": 1000,
        "Policies": ManagedPolicy.objects.filter(is_aws_managed=False).count(),
        "PoliciesQuota": 1500,
        "PolicyVersionsInUse": PolicyVersion.objects.filter(
            policy__account_id=here, policy__is_aws_managed=False).count(),
        "PolicyVersionsInUseQuota": 10000,
        "VersionsPerPolicyQuota": MAX_POLICY_VERSIONS,
        "AttachedPoliciesPerUserQuota": MAX_MANAGED_POLICIES_PER_IDENTITY,
        "AttachedPoliciesPerGroupQuota": MAX_MANAGED_POLICIES_PER_IDENTITY,
        "AttachedPoliciesPerRoleQuota": MAX_MANAGED_POLICIES_PER_IDENTITY,
        "GroupsPerUserQuota": MAX_GROUPS_PER_USER,
        "AccessKeysPerUserQuota": MAX_ACCESS_KEYS,
        "SigningCertificatesPerUserQuota": 2,
        "ServerCertificates": _family_count("server_certificate"),
        "ServerCertificatesQuota": 20,
        "InstanceProfiles": _family_count("instance_profile"),
        "InstanceProfilesQuota": 1000,
        "Providers": _family_count("saml_provider", "oidc_provider"),
        "MFADevices": VirtualMFADevice.objects.count(),
        "MFADevicesInUse": VirtualMFADevice.objects.exclude(user=None).count(),
        "AccountMFAEnabled": int(VirtualMFADevice.objects.filter(user__is_root=True).exists()),
        "AccountAccessKeysPresent": int(AccessKey.objects.filter(
            user__is_root=True, user__account_id=here).exists()),
        "AccountPasswordPresent": int(root is not None and root.has_usable_password()),
        "AccountSigningCertificatesPresent": 0,
        "GlobalEndpointTokenVersion":
            2 if AccountSettings.load().global_endpoint_token_version == "v2Token" else 1,
        "UserPolicySizeQuota": 2048,
        "GroupPolicySizeQuota": 5120,
        "RolePolicySizeQuota": 10240,
        "PolicySizeQuota": 6144,
        "AssumeRolePolicySizeQuota": 2048,
    }


TOKEN_VERSIONS = ("v1Token", "v2Token")


@operation
def set_security_token_service_preferences(caller: Caller,
                                           global_endpoint_token_version: str) -> AccountSettings:
    """SetSecurityTokenServicePreferences: the version of the session tokens the global STS
    endpoint issues (v1Token, AWS's default, or v2Token), kept in the account settings and
    answered by GetAccountSummary's GlobalEndpointTokenVersion (1 or 2). iamconsole has one
    endpoint and one token format, valid everywhere, so the setting changes nothing else."""
    if global_endpoint_token_version not in TOKEN_VERSIONS:
        raise ValidationError(
            f"Value '{global_endpoint_token_version}' at 'globalEndpointTokenVersion' failed to "
            "satisfy constraint: Member must satisfy enum value set: [v1Token, v2Token]",
            field="global_endpoint_token_version")
    authz.check(caller, "iam:SetSecurityTokenServicePreferences", "*")
    settings = AccountSettings.load()
    old = settings.global_endpoint_token_version
    settings.global_endpoint_token_version = global_endpoint_token_version
    settings.save(update_fields=["global_endpoint_token_version"])
    audit.record(caller, "iam:SetSecurityTokenServicePreferences", resource_type="account",
                 resource_name="sts-preferences", old={"GlobalEndpointTokenVersion": old},
                 new={"GlobalEndpointTokenVersion": global_endpoint_token_version})
    return settings


_PROPERTY_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*/[A-Za-z0-9_-]+$")


def get_account_properties(caller: Caller) -> dict[str, str]:
    """GetAccountProperties: the account-level properties (Namespace/PropertyName → value) of
    the IAM features they configure (AWS: "such as Role Manager"). iamconsole has none of
    those features, so the map is empty."""
    authz.check(caller, "iam:GetAccountProperties", "*")
    return {}


def put_account_properties(caller: Caller, properties: dict[str, str]) -> None:
    """PutAccountProperties: AWS validates each key (Namespace/PropertyName, one namespace per
    request) and each value against its property's type. The key format is checked as AWS
    does; then every property is InvalidInput, since iamconsole supports none of the features
    they configure (GetAccountProperties answers an empty map)."""
    if not properties:
        raise InvalidInput("Properties must contain at least one property.", field="properties")
    for key in properties:
        if not _PROPERTY_KEY.match(key):
            raise InvalidInput(f"The property key {key} is not valid: it must be "
                               "Namespace/PropertyName, with exactly one /.", field="properties")
    if len({key.split("/", 1)[0] for key in properties}) > 1:
        raise InvalidInput("All properties in a request must belong to the same namespace.",
                           field="properties")
    authz.check(caller, "iam:PutAccountProperties", "*")
    unsupported = ", ".join(sorted(properties))
    raise InvalidInput(f"The account properties {unsupported} are not supported by iamconsole: "
                       "it has none of the IAM features account properties configure.",
                       field="properties")
