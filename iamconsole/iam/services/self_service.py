"""Self-service credentials: the customer managed policy every account ships with
(IAMConsoleManageOwnCredentials, AWS's documented example "Allows MFA-authenticated IAM users to
manage their own credentials on the Security credentials page", its Allow statements), and what
the console asks before it offers a user to change their own password, set up their own MFA
device or manage their own access keys.

AWS's example names the caller's own user as `user/${aws:username}`, which does not match a
user with a path (`user/engineering/alice`). The shipped document names both forms,
`user/${aws:username}` and `user/*/${aws:username}` (a `*` in an ARN matches across `/`); the
second cannot match `user/xalice`, as `user/*${aws:username}` would.
"""

from __future__ import annotations

import json

from .. import arns, authz
from ..caller import Caller
from ..models import ManagedPolicy
from .mfa import default_device_name, mfa_enrollment_required
from .passwords import account_password_policy, password_change_required
from .policies import create_policy

POLICY_NAME = "IAMConsoleManageOwnCredentials"
DESCRIPTION = ("Lets IAM users manage their own password, access keys, signing certificates, "
               "SSH public keys, service-specific credentials and virtual MFA device (AWS's "
               "documented self-service example; users with a path included). Attach it to a "
               "group of people who sign in.")


def _own(resource_type: str) -> list[str]:
    """The caller's own user (or MFA device), with or without a path."""
    return [f"arn:aws:iam::*:{resource_type}/${{aws:username}}",
            f"arn:aws:iam::*:{resource_type}/*/${{aws:username}}"]


def _allow(sid: str, actions: list[str], resource) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [
    _allow("AllowViewAccountInfo", ["iam:GetAccountPasswordPolicy", "iam:GetAccountSummary",
                                    "iam:ListVirtualMFADevices"], "*"),
    _allow("AllowManageOwnPasswords", ["iam:ChangePassword", "iam:GetUser",
                                       "iam:GetLoginProfile"], _own("user")),
    _allow("AllowManageOwnAccessKeys", ["iam:CreateAccessKey", "iam:DeleteAccessKey",
                                        "iam:ListAccessKeys", "iam:UpdateAccessKey",
                                        "iam:GetAccessKeyLastUsed"], _own("user")),
    _allow("AllowManageOwnSigningCertificates", [
        "iam:DeleteSigningCertificate", "iam:ListSigningCertificates",
        "iam:UpdateSigningCertificate", "iam:UploadSigningCertificate"], _own("user")),
    _allow("AllowManageOwnSSHPublicKeys", [
        "iam:DeleteSSHPublicKey", "iam:GetSSHPublicKey", "iam:ListSSHPublicKeys",
        "iam:UpdateSSHPublicKey", "iam:UploadSSHPublicKey"], _own("user")),
    _allow("AllowManageOwnGitCredentials", [
        "iam:CreateServiceSpecificCredential", "iam:DeleteServiceSpecificCredential",
        "iam:ListServiceSpecificCredentials", "iam:ResetServiceSpecificCredential",
        "iam:UpdateServiceSpecificCredential"], _own("user")),
    _allow("AllowManageOwnVirtualMFADevice", ["iam:CreateVirtualMFADevice",
                                              "iam:DeleteVirtualMFADevice"], _own("mfa")),
    _allow("AllowManageOwnUserMFA", ["iam:DeactivateMFADevice", "iam:EnableMFADevice",
                                     "iam:ListMFADevices", "iam:ResyncMFADevice"],
           _own("user")),
]}, indent=2)


def ensure_self_service_policy(caller: Caller | None = None) -> ManagedPolicy:
    """The current account's IAMConsoleManageOwnCredentials, created (CreatePolicy, audited)
    when the account has no customer managed policy of that name. One an administrator has
    edited is left as it is."""
    existing = ManagedPolicy.objects.filter(name__ci=POLICY_NAME, is_aws_managed=False).first()
    if existing is not None:
        return existing
    return create_policy(caller or Caller.system("self-service policy"), POLICY_NAME,
                         DOCUMENT, description=DESCRIPTION)


def _iam_user(caller: Caller):
    """The signed-in IAM user acting as themselves (not a role session, not federated)."""
    user = caller.user
    if user is None or caller.role is not None:
        return None
    return user


def may_change_own_password(caller: Caller) -> bool:
    """ChangePassword's own rule (services.passwords.change_password): the caller's policies
    allow iam:ChangePassword on themselves, the account's password policy lets every user
    change theirs, or the sign-in flow requires a new one (never the root user, as there)."""
    user = _iam_user(caller)
    if user is None or user.is_root or not user.has_login_profile:
        return False
    policy = account_password_policy()
    if password_change_required(user) or (policy and policy.allow_users_to_change_password):
        return True
    return authz.is_allowed(caller, "iam:ChangePassword", user.arn)


def may_enroll_own_mfa(caller: Caller) -> bool:
    """Whether the signed-in IAM user may set up their own virtual MFA device: their policies
    allow CreateVirtualMFADevice on the device they would get and EnableMFADevice on
    themselves (the shipped self-service policy), or the account requires them to enroll.
    The console offers "set up MFA" only then."""
    user = _iam_user(caller)
    if user is None:
        return False
    if user.is_root or mfa_enrollment_required(user):
        return True
    device = arns.entity("mfa", default_device_name(user))
    return authz.is_allowed(caller, "iam:CreateVirtualMFADevice", device) and \
        authz.is_allowed(caller, "iam:EnableMFADevice", user.arn)


def may_manage_own_access_keys(caller: Caller) -> bool:
    """Whether the signed-in IAM user may manage their own access keys on their user's page:
    read it (GetUser), list and create keys on themselves (the root user has no such page)."""
    user = _iam_user(caller)
    if user is None:
        return False
    return not user.is_root and all(authz.is_allowed(caller, action, user.arn) for action in (
        "iam:GetUser", "iam:ListAccessKeys", "iam:CreateAccessKey"))
