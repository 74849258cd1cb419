"""Account-level operations: aliases, account settings, GetAccountSummary."""

from __future__ import annotations

import re

from .. import audit, authz
from .. import identifiers as ids
from ..caller import Caller
from ..errors import EntityAlreadyExists, NoSuchEntity, ValidationError
from ..models import (
    AccessKey,
    AccountSettings,
    Group,
    GroupInlinePolicy,
    InstanceProfile,
    ManagedPolicy,
    PolicyVersion,
    Role,
    RoleInlinePolicy,
    User,
    UserInlinePolicy,
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


def get_account_summary(caller: Caller) -> dict[str, int]:
    """GetAccountSummary's SummaryMap (counts and the quotas this installation enforces)."""
    authz.check(caller, "iam:GetAccountSummary", "*")
    users = User.objects.filter(is_root=False)
    here = ids.account_id()
    return {
        "Users": users.count(),
        "UsersQuota": 5000,
        "Groups": Group.objects.count(),
        "GroupsQuota": 300,
        "Roles": Role.objects.count(),
        "RolesQuota": 1000,
        "InstanceProfiles": InstanceProfile.objects.count(),
        "InstanceProfilesQuota": 1000,
        "Policies": ManagedPolicy.objects.filter(is_aws_managed=False).count(),
        "PoliciesQuota": 1500,
        "PolicyVersionsInUse": PolicyVersion.objects.filter(policy__account_id=here).count(),
        "PolicyVersionsInUseQuota": 10000,
        "VersionsPerPolicyQuota": MAX_POLICY_VERSIONS,
        "AttachedPoliciesPerUserQuota": MAX_MANAGED_POLICIES_PER_IDENTITY,
        "AttachedPoliciesPerGroupQuota": MAX_MANAGED_POLICIES_PER_IDENTITY,
        "AttachedPoliciesPerRoleQuota": MAX_MANAGED_POLICIES_PER_IDENTITY,
        "GroupsPerUserQuota": MAX_GROUPS_PER_USER,
        "AccessKeysPerUserQuota": MAX_ACCESS_KEYS,
        "MFADevices": VirtualMFADevice.objects.count(),
        "MFADevicesInUse": VirtualMFADevice.objects.exclude(user=None).count(),
        "AccountMFAEnabled": int(VirtualMFADevice.objects.filter(user__is_root=True).exists()),
        "AccountAccessKeysPresent": int(AccessKey.objects.filter(
            user__is_root=True, user__account_id=here).exists()),
        "UserPolicySizeQuota": 2048,
        "GroupPolicySizeQuota": 5120,
        "RolePolicySizeQuota": 10240,
        "PolicySizeQuota": 6144,
        "AssumeRolePolicySizeQuota": 2048,
        "InlinePolicies": UserInlinePolicy.objects.filter(user__account_id=here).count()
        + GroupInlinePolicy.objects.filter(group__account_id=here).count()
        + RoleInlinePolicy.objects.filter(role__account_id=here).count(),
    }
