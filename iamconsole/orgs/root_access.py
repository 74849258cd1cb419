"""IAM's centralized root access for an organization's member accounts.

EnableOrganizationsRootCredentialsManagement / EnableOrganizationsRootSessions (management
account only), their Disable counterparts and ListOrganizationsFeatures (the management
account; AWS also lets a delegated administrator for IAM call those three, which this
installation does not have), and STS AssumeRoot: a 0-900 s session of a member account's root
user, limited by one of AWS's root-task policies (`iam.task_policies`), for a principal of the
management account allowed `sts:AssumeRoot` on `arn:aws:iam::<member>:root`, while
RootSessions is enabled. AWS also requires trusted access for IAM in Organizations
(ServiceAccessNotEnabledException); this installation has no EnableAWSServiceAccess, so
trusted access counts as enabled.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from iamconsole.iam import arns, audit, authz, clock, sts, task_policies, tenancy
from iamconsole.iam import identifiers as ids
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import AccessDenied, ValidationError, client_error
from iamconsole.iam.models import User
from iamconsole.iam.services._common import operation
from iamconsole.policy import compile_policy

from .models import Membership, Organization

ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS = "RootCredentialsManagement", "RootSessions"
FEATURES = (ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS)
ROOT_SESSION_MAX = 900

# botocore's IAM model names these error shapes without an error code: the code is the name.
OrganizationNotFoundException = client_error("OrganizationNotFoundException")
OrganizationNotInAllFeaturesModeException = client_error(
    "OrganizationNotInAllFeaturesModeException")
AccountNotManagementOrDelegatedAdministratorException = client_error(
    "AccountNotManagementOrDelegatedAdministratorException")
CallerIsNotManagementAccountException = client_error("CallerIsNotManagementAccountException")


@dataclass(frozen=True)
class OrganizationFeatures:
    organization_id: str
    enabled_features: list[str]


def _organization(caller: Caller, action: str, *, enabling: bool,
                  lock: bool = False) -> Organization:
    membership = (Membership.objects.select_related("organization")
                  .filter(account_id=caller.account).first())
    if membership is None:
        raise OrganizationNotFoundException(
            "The request was rejected because no organization is associated with your "
            "account.")
    org = membership.organization
    if org.management_id != caller.account:
        audit.record_denied(caller, AccessDenied(
            f"Account {caller.account} is not the management account of {org.id}",
            action=action, resource="*"))
        if enabling:
            raise CallerIsNotManagementAccountException(
                "The request was rejected because the account making the request is not the "
                "management account for the organization.")
        raise AccountNotManagementOrDelegatedAdministratorException(
            "The request was rejected because the account making the request is not the "
            "management account or delegated administrator account for centralized root "
            "access.")
    if org.feature_set != Organization.ALL:
        raise OrganizationNotInAllFeaturesModeException(
            "The request was rejected because your organization does not have All features "
            "enabled.")
    if lock:
        org = Organization.objects.select_for_update().get(pk=org.pk)
    return org


def _set_feature(caller: Caller, operation_name: str, feature: str,
                 enabled: bool) -> OrganizationFeatures:
    action = f"iam:{operation_name}"
    org = _organization(caller, action, enabling=enabled, lock=True)
    authz.check(caller, action, "*")
    old = list(org.iam_features)
    features = [f for f in FEATURES if (f == feature and enabled)
                or (f != feature and f in old)]
    if features != old:
        org.iam_features = features
        org.save(update_fields=["iam_features"])
        audit.record(caller, action, resource_type="organization", resource_name=org.id,
                     resource_arn=org.arn, old={"EnabledFeatures": old},
                     new={"EnabledFeatures": features})
    return OrganizationFeatures(org.id, features)


@operation
def enable_root_credentials_management(caller: Caller) -> OrganizationFeatures:
    return _set_feature(caller, "EnableOrganizationsRootCredentialsManagement",
                        ROOT_CREDENTIALS_MANAGEMENT, True)


@operation
def disable_root_credentials_management(caller: Caller) -> OrganizationFeatures:
    return _set_feature(caller, "DisableOrganizationsRootCredentialsManagement",
                        ROOT_CREDENTIALS_MANAGEMENT, False)


@operation
def enable_root_sessions(caller: Caller) -> OrganizationFeatures:
    return _set_feature(caller, "EnableOrganizationsRootSessions", ROOT_SESSIONS, True)


@operation
def disable_root_sessions(caller: Caller) -> OrganizationFeatures:
    return _set_feature(caller, "DisableOrganizationsRootSessions", ROOT_SESSIONS, False)


def list_features(caller: Caller) -> OrganizationFeatures:
    org = _organization(caller, "iam:ListOrganizationsFeatures", enabling=False)
    authz.check(caller, "iam:ListOrganizationsFeatures", "*")
    return OrganizationFeatures(org.id, [f for f in FEATURES if f in org.iam_features])


# --------------------------------------------------------------------------- AssumeRoot

_TARGET = re.compile(r"^(?:arn:aws:iam::)?(\d{12})(?::root)?$")


@dataclass
class RootSession:
    credentials: sts.SessionCredentials
    source_identity: str = ""


def _assume_root_denied(caller: Caller, resource: str, reason: str) -> AccessDenied:
    return audit.denied(caller, AccessDenied(
        f"User: {caller.arn} is not authorized to perform: sts:AssumeRoot on resource: "
        f"{resource} {reason}", action="sts:AssumeRoot", resource=resource))


def _task_policy_arn(task_policy_arn) -> str:
    arn = task_policy_arn.get("arn") if isinstance(task_policy_arn, dict) else task_policy_arn
    if not task_policies.is_task_policy(arn):
        raise ValidationError(
            f"The TaskPolicyArn {arn} is not valid: use one of the AWS managed policies "
            + ", ".join(task_policies.ARNS), field="task_policy_arn")
    return arn


def _authorize(caller: Caller, org: Organization, resource: str, task_arn: str) -> None:
    """sts:AssumeRoot on the member's root: the caller's identity policies decide. The member
    account is another account, so the engine needs its consent as a resource policy: an
    organization's member trusts its management account for AssumeRoot (naming the account,
    so the caller's own policies must allow it, as AWS requires)."""
    trust = compile_policy(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": arns.root(org.management_id)},
        "Action": "sts:AssumeRoot", "Resource": resource}]}),
        policy_id="AssumeRootTrust", policy_type="resource", kind="resource",
        version_id=f"assume-root:{org.id}:{resource}")
    extra = {"sts:TaskPolicyArn": task_arn}
    decision = authz.decide(caller, "sts:AssumeRoot", resource, extra, resource_policy=trust)
    if decision is not None and not decision.allowed:
        raise audit.denied(caller, authz.access_denied(caller, "sts:AssumeRoot", resource,
                                                       decision))


def assume_root(caller: Caller, target_principal: str, task_policy_arn,
                duration_seconds: int | None = None) -> RootSession:
    """STS AssumeRoot: credentials of the root user of member account `target_principal`
    (its id or `arn:aws:iam::<id>:root`), limited by the task policy."""
    match = _TARGET.match(target_principal) if isinstance(target_principal, str) else None
    if match is None:
        raise ValidationError(
            f"The TargetPrincipal {target_principal} is not valid: give the 12-digit id of a "
            "member account of your organization or its root ARN.", field="target_principal")
    member_id = match.group(1)
    if not task_policy_arn:
        raise ValidationError("TaskPolicyArn is required.", field="task_policy_arn")
    arn = _task_policy_arn(task_policy_arn)
    duration = sts._duration(
        duration_seconds, ROOT_SESSION_MAX, 0, ROOT_SESSION_MAX,
        f"1 validation error detected: Value '{duration_seconds}' at 'durationSeconds' failed "
        f"to satisfy constraint: Member must have value less than or equal to "
        f"{ROOT_SESSION_MAX}")
    resource = arns.root(member_id)
    if caller.is_root:
        raise _assume_root_denied(caller, resource, "because root credentials cannot call "
                                  "AssumeRoot")
    membership = (Membership.objects.select_related("organization")
                  .filter(account_id=caller.account).first())
    org = membership.organization if membership is not None else None
    if org is None or org.management_id != caller.account:
        raise _assume_root_denied(caller, resource, "because the caller's account is not the "
                                  "management account of an organization")
    if ROOT_SESSIONS not in org.iam_features:
        raise _assume_root_denied(caller, resource, "because root sessions are not enabled "
                                  "for the organization (EnableOrganizationsRootSessions)")
    _authorize(caller, org, resource, arn)
    target = Membership.objects.filter(organization=org, account_id=member_id).first()
    root = (User.everywhere.filter(account_id=member_id, is_root=True).first()
            if target is not None and member_id != org.management_id else None)
    if root is None:
        raise _assume_root_denied(caller, resource, "because the target is not a member "
                                  "account of the organization")
    now = clock.now()
    with transaction.atomic():
        issued = sts._issue(caller, user=root, session_policy_arns=[arn], created_at=now,
                            expires_at=now + timedelta(seconds=duration))
        for account in dict.fromkeys([ids.account_id(), member_id]):
            with tenancy.acting_in(account):
                audit.record(caller, "sts:AssumeRoot", resource_type="account",
                             resource_name=member_id, resource_arn=resource,
                             new={"TaskPolicyArn": arn, "AccessKeyId": issued.access_key_id,
                                  "Expiration": issued.expiration.isoformat()})
    return RootSession(issued)
