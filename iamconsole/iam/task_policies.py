"""AWS's root-task policies: the five AWS managed policies under `/root-task/` that scope an
STS AssumeRoot session (`arn:aws:iam::aws:policy/root-task/<name>`), with their documents as
AWS publishes them (version v1, 2024-11-06).

Each is Deny-only: it leaves the root user everything its account may do except what it
denies (every other action; the allowed ones on anything but a root user). `authz.decide`
adds the session's task policy to the root user's allow-everything identity, so SCPs and
RCPs still apply on top.
"""

from __future__ import annotations

import json

from iamconsole.policy import CompiledPolicy, compile_policy

PREFIX = "arn:aws:iam::aws:policy/root-task/"
ROOT_ANY_ACCOUNT = "arn:aws:iam::*:root"


def _credentials_task(sid: str, actions: list[str]) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyAllOtherActionsOnAnyResource", "Effect": "Deny", "NotAction": actions,
         "Resource": "*"},
        {"Sid": sid, "Effect": "Deny", "Action": actions, "NotResource": ROOT_ANY_ACCOUNT},
    ]}


_AUDIT = ["iam:ListAccessKeys", "iam:ListSigningCertificates", "iam:GetLoginProfile",
          "iam:ListMFADevices", "iam:GetUser", "iam:GetAccessKeyLastUsed"]
_S3 = ["s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:GetBucketPolicy",
       "s3:ListAllMyBuckets"]
_SQS = ["sqs:SetQueueAttributes", "sqs:GetQueueAttributes", "sqs:ListQueues",
        "sqs:GetQueueUrl"]
_NOT_ROOT = {"StringNotLike": {"aws:PrincipalArn": ROOT_ANY_ACCOUNT}}

DOCUMENTS: dict[str, dict] = {
    "IAMAuditRootUserCredentials": {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyAllOtherActionsOnAnyResource", "Effect": "Deny",
         "NotAction": [*_AUDIT[:4], "iam:GetAccountSummary", *_AUDIT[4:]], "Resource": "*"},
        {"Sid": "DenyAuditingCredentialsOnNonRootUserResource", "Effect": "Deny",
         "Action": _AUDIT, "NotResource": ROOT_ANY_ACCOUNT},
    ]},
    "IAMCreateRootUserPassword": _credentials_task(
        "DenyCreatingPasswordOnNonRootUserResource",
        ["iam:CreateLoginProfile", "iam:GetLoginProfile"]),
    "IAMDeleteRootUserCredentials": _credentials_task(
        "DenyDeletingRootUserCredentialsOnNonRootUserResource",
        ["iam:DeleteAccessKey", "iam:DeleteSigningCertificate", "iam:DeleteLoginProfile",
         "iam:DeactivateMFADevice", "iam:DeleteVirtualMFADevice", *_AUDIT]),
    "S3UnlockBucketPolicy": {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyAllOtherActionsOnAnyResource", "Effect": "Deny", "NotAction": _S3,
         "Resource": "*"},
        {"Sid": "DenyManagingBucketPolicyForNonRootCallers", "Effect": "Deny", "Action": _S3,
         "Resource": "*", "Condition": _NOT_ROOT},
    ]},
    "SQSUnlockQueuePolicy": {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyAllOtherActionsOnAnyResource", "Effect": "Deny", "NotAction": _SQS,
         "Resource": "*"},
        {"Sid": "DenyGettingQueueAttributesOnNonOwnQueue", "Effect": "Deny",
         "Action": ["sqs:GetQueueAttributes"], "Resource": "arn:aws:sqs:*:*:*",
         "Condition": {"StringNotEqualsIfExists": {
             "aws:ResourceAccount": ["${aws:PrincipalAccount}"]}}},
        {"Sid": "DenyActionsForNonRootUser", "Effect": "Deny", "Action": _SQS,
         "Resource": "*", "Condition": _NOT_ROOT},
    ]},
}
ARNS = tuple(PREFIX + name for name in DOCUMENTS)

_compiled: dict[str, CompiledPolicy] = {}


def is_task_policy(arn: object) -> bool:
    return isinstance(arn, str) and arn in ARNS


def document(arn: str) -> str:
    return json.dumps(DOCUMENTS[arn.removeprefix(PREFIX)], indent=4)


def compiled(arn: str) -> CompiledPolicy:
    """The task policy `arn` compiled (once per process: its document never changes)."""
    found = _compiled.get(arn)
    if found is None:
        name = arn.removeprefix(PREFIX)
        found = _compiled[arn] = compile_policy(
            document(arn), policy_id=name, policy_type="aws-managed",
            version_id=f"root-task/{name}:v1")
    return found


def of_session(credential) -> str | None:
    """The task policy ARN of an AssumeRoot session's credential, None for any other."""
    if credential is None or credential.role_id is not None:
        return None
    for arn in credential.session_policy_arns or ():
        if is_task_policy(arn):
            return arn
    return None
