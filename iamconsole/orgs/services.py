"""AWS Organizations' operations, one function each, named as AWS names them.

Each runs in one transaction (`@operation`), authorizes its caller with
`authz.check(caller, "organizations:<Op>", <ARN>)` on the resource the service authorization
reference names (or "*" where it names none), raises `errors` with AWS's codes and records
every change in the audit log of the caller's account. Only the management account manages
the organization: a member account's caller gets AccessDeniedException, an account in no
organization AWSOrganizationsNotInUseException. Every change bumps
`Organization.revision` (see `guardrails`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.db import IntegrityError
from django.db.models import F, Q

from iamconsole.iam import arns, audit, authz, clock, tenancy
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import AccessDenied
from iamconsole.iam.models import Account
from iamconsole.iam.services.accounts import create_account as create_iam_account
from iamconsole.policy import validate as policy_validate

from . import errors
from .models import (
    FULL_ACCESS,
    POLICY_TYPES,
    RCP,
    SCP,
    CreateAccountStatus,
    Membership,
    Organization,
    OrganizationalUnit,
    Policy,
    PolicyAttachment,
    Root,
    ensure_aws_managed,
    random_id,
)

DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole"
ADMINISTRATOR_ACCESS = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, indent=4)
POLICY_MAX_CHARS = 5120  # SCPs and RCPs ("Quotas and service limits for AWS Organizations")
MAX_TAGS = 50
ROOT, OU, ACCOUNT = PolicyAttachment.ROOT, PolicyAttachment.OU, PolicyAttachment.ACCOUNT
# Policy types of botocore's model this installation does not keep (no engine evaluates them).
EFFECTIVE_POLICY_TYPES = frozenset({
    "TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY", "CHATBOT_POLICY",
    "DECLARATIVE_POLICY_EC2", "SECURITYHUB_POLICY", "SECURITYHUB_CSPM_POLICY",
    "INSPECTOR_POLICY", "UPGRADE_ROLLOUT_POLICY", "BEDROCK_POLICY", "S3_POLICY",
    "NETWORK_SECURITY_DIRECTOR_POLICY", "GUARDDUTY_POLICY"})


FuncT = TypeVar("FuncT", bound=Callable[..., Any])


def operation(func: FuncT) -> FuncT:
    """An Organizations operation: one transaction (denied calls stay in the audit log,
    `audit.atomic`); a race on a unique row (two CreateOrganization calls of one account)
    is AWS's ConcurrentModificationException."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            with audit.atomic():
                return func(*args, **kwargs)
        except IntegrityError as exc:
            raise errors.ConcurrentModificationException() from exc

    return wrapper  # type: ignore[return-value]


# --------------------------------------------------------------------------- lookups


def organization_of(account_id: str) -> Organization | None:
    """The organization `account_id` belongs to (as management or member account), or None."""
    membership = (Membership.objects.select_related("organization", "organization__root")
                  .filter(account_id=account_id).first())
    return None if membership is None else membership.organization


def _authorize(caller: Caller, action: str, resource: str) -> None:
    try:
        authz.check(caller, action, resource)
    except AccessDenied:  # recorded as denied by authz.check; answered as Organizations does
        raise errors.AccessDeniedException() from None


def _management(caller: Caller, action: str, *, lock: bool = False) -> Organization:
    """The caller's organization, if the caller's account manages it. `lock`: a change,
    which holds the organization's row until its transaction ends, so that changes to one
    organization run one after the other (unique OU and policy names, the last SCP)."""
    org = organization_of(caller.account)
    if org is None:
        raise errors.AWSOrganizationsNotInUseException()
    if org.management_id != caller.account:
        audit.record_denied(caller, AccessDenied(
            f"Account {caller.account} is not the management account of {org.id}",
            action=action, resource=org.arn))
        raise errors.AccessDeniedException()
    if lock:  # read again under the lock: what was read before may have changed since
        org = (Organization.objects.select_for_update(of=("self",))
               .select_related("root", "management_account").filter(pk=org.pk).first())
        if org is None:  # deleted meanwhile
            raise errors.AWSOrganizationsNotInUseException()
    return org


def _changed(org: Organization) -> None:
    Organization.objects.filter(pk=org.pk).update(revision=F("revision") + 1)


def _record(caller: Caller, action: str, kind: str, name: str, arn: str, *, old: Any = None,
            new: Any = None) -> None:
    audit.record(caller, f"organizations:{action}", resource_type=kind, resource_name=name,
                 resource_arn=arn, old=old, new=new)


@dataclass(frozen=True)
class Target:
    """A root, an OU or an account of the organization: what policies attach to."""

    type: str  # ROOT | ORGANIZATIONAL_UNIT | ACCOUNT
    id: str
    name: str
    arn: str


def _target_arn(org: Organization, target_id: str) -> str:
    if target_id.startswith("r-"):
        return arns.org_root(org.management_id, org.id, target_id)
    if target_id.startswith("ou-"):
        return arns.org_unit(org.management_id, org.id, target_id)
    return arns.org_account(org.management_id, org.id, target_id)


_ORG = ("organization", "organization__root")


def _units(org: Organization):
    """The organization's OUs, with what their ARN and Path read (no query per OU)."""
    return OrganizationalUnit.objects.select_related(*_ORG, "parent").filter(organization=org)


def _members(org: Organization):
    """The organization's memberships, with what Account shapes read."""
    return Membership.objects.select_related(*_ORG, "account", "parent").filter(
        organization=org)


def _find_target(org: Organization, target_id: str,
                 missing: type[errors.OrganizationsError]) -> Target:
    if target_id == org.root.id:
        return Target(ROOT, target_id, org.root.name, org.root.arn)
    if target_id.startswith("ou-"):
        unit = OrganizationalUnit.objects.filter(organization=org, id=target_id).first()
        if unit is not None:
            return Target(OU, unit.id, unit.name, _target_arn(org, unit.id))
    elif arns.is_account_id(target_id):
        member = (Membership.objects.select_related("account")
                  .filter(organization=org, account_id=target_id).first())
        if member is not None:
            return Target(ACCOUNT, target_id, member.account.name or target_id,
                          _target_arn(org, target_id))
    raise missing()


def _parent(org: Organization, parent_id: str,
            missing: type[errors.OrganizationsError] = errors.ParentNotFoundException
            ) -> OrganizationalUnit | None:
    """The OU `parent_id` names (None: the root), or `missing`."""
    if parent_id == org.root.id:
        return None
    unit = OrganizationalUnit.objects.filter(organization=org, id=parent_id).first()
    if unit is None:
        raise missing()
    return unit


def _unit(org: Organization, ou_id: str) -> OrganizationalUnit:
    unit = _units(org).filter(id=ou_id).first()
    if unit is None:
        raise errors.OrganizationalUnitNotFoundException()
    return unit


def _member(org: Organization, account_id: str) -> Membership:
    member = _members(org).filter(account_id=account_id).first()
    if member is None:
        raise errors.AccountNotFoundException()
    return member


def _policy(org: Organization, policy_id: str) -> Policy:
    policy = Policy.objects.filter(Q(organization=org) | Q(aws_managed=True),
                                   id=policy_id).first()
    if policy is None:
        raise errors.PolicyNotFoundException()
    return policy


def _policy_arn(org: Organization, policy_id: str) -> str:
    policy = (Policy.objects.filter(Q(organization=org) | Q(aws_managed=True), id=policy_id)
              .only("type", "aws_managed").first())
    if policy is None:
        return arns.org_policy(org.management_id, org.id, SCP, policy_id)
    return policy.arn_in(org)


def unit_path(org: Organization, unit: OrganizationalUnit | None) -> str:
    """`o-x/r-x/ou-a/ou-b/`: where an OU (None: the root) sits, as AWS writes paths."""
    chain: list[str] = []
    while unit is not None:
        chain.append(unit.id)
        unit = unit.parent
    return "/".join([org.id, org.root.id, *reversed(chain)]) + "/"


# --------------------------------------------------------------------------- organization


@operation
def create_organization(caller: Caller, feature_set: str | None = "ALL") -> Organization:
    _authorize(caller, "organizations:CreateOrganization", "*")
    if feature_set not in (None, Organization.ALL):
        raise errors.InvalidInputException(
            "iamconsole supports only organizations with all features (FeatureSet ALL).",
            reason="INVALID_ENUM")
    if Membership.objects.filter(account_id=caller.account).exists():
        raise errors.AlreadyInOrganizationException()
    ensure_aws_managed()
    account = Account.objects.get(id=caller.account)
    org = Organization.objects.create(id=random_id("o-", 10), management_account=account)
    Root.objects.create(id=random_id("r-", 4), organization=org)
    Membership.objects.create(account=account, organization=org,
                              joined_method=Membership.INVITED)
    _record(caller, "CreateOrganization", "organization", org.id, org.arn,
            new={"Id": org.id, "FeatureSet": org.feature_set})
    return Organization.objects.select_related("root", "management_account").get(pk=org.pk)


def describe_organization(caller: Caller) -> Organization:
    """Member accounts may describe their organization too (as AWS allows)."""
    _authorize(caller, "organizations:DescribeOrganization", "*")
    org = organization_of(caller.account)
    if org is None:
        raise errors.AWSOrganizationsNotInUseException()
    return org


@operation
def delete_organization(caller: Caller) -> None:
    org = _management(caller, "organizations:DeleteOrganization", lock=True)
    _authorize(caller, "organizations:DeleteOrganization", "*")
    if org.memberships.exclude(account_id=org.management_id).exists():
        raise errors.OrganizationNotEmptyException()
    _record(caller, "DeleteOrganization", "organization", org.id, org.arn, old={"Id": org.id})
    PolicyAttachment.objects.filter(organization=org).delete()
    Policy.objects.filter(organization=org).delete()
    Membership.objects.filter(organization=org).delete()
    OrganizationalUnit.objects.filter(organization=org).update(parent=None)
    OrganizationalUnit.objects.filter(organization=org).delete()
    org.delete()


def list_roots(caller: Caller) -> list[Root]:
    org = _management(caller, "organizations:ListRoots")
    _authorize(caller, "organizations:ListRoots", "*")
    return [org.root]


# --------------------------------------------------------------------------- accounts


def _attach_full_access(org: Organization, target_type: str, target_id: str) -> None:
    for policy_type in org.root.enabled_policy_types:
        PolicyAttachment.objects.get_or_create(
            organization=org, policy_id=FULL_ACCESS[policy_type], target_id=target_id,
            defaults={"target_type": target_type})


@operation
def create_account(caller: Caller, *, email: str, account_name: str,
                   role_name: str | None = None, tags: Any = None) -> CreateAccountStatus:
    """A new member account under the root, with the role `role_name`
    (OrganizationAccountAccessRole) that the management account's principals may assume:
    trusted by arn:aws:iam::<management>:root, with full administrator permissions."""
    org = _management(caller, "organizations:CreateAccount", lock=True)
    _authorize(caller, "organizations:CreateAccount", "*")
    role_name = role_name or DEFAULT_ROLE_NAME
    tags = _tags(tags)
    now = clock.now()
    status = CreateAccountStatus(id=random_id("car-", 32), organization=org,
                                 account_name=account_name, requested_at=now,
                                 completed_at=now)
    if Account.objects.filter(email__iexact=email).exists():
        status.state, status.failure_reason = CreateAccountStatus.FAILED, "EMAIL_ALREADY_EXISTS"
        status.save()
        return status
    account = create_iam_account(caller, name=account_name, email=email)
    Membership.objects.create(account=account, organization=org, joined_at=now, tags=tags)
    _attach_full_access(org, ACCOUNT, account.id)
    system = Caller.system("organizations")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": arns.root(org.management_id)},
        "Action": "sts:AssumeRole"}]}, indent=4)
    with tenancy.acting_in(account.id):
        iam.create_role(system, role_name, trust)
        iam.put_role_policy(system, role_name, "AdministratorAccess", ADMINISTRATOR_ACCESS)
    status.account_id = account.id
    status.save()
    _changed(org)
    _record(caller, "CreateAccount", "account", account.id,
            arns.org_account(org.management_id, org.id, account.id),
            new={"AccountId": account.id, "AccountName": account_name, "RoleName": role_name,
                 "CreateAccountRequestId": status.id})
    return status


def describe_create_account_status(caller: Caller, request_id: str) -> CreateAccountStatus:
    org = _management(caller, "organizations:DescribeCreateAccountStatus")
    _authorize(caller, "organizations:DescribeCreateAccountStatus", "*")
    status = CreateAccountStatus.objects.filter(organization=org, id=request_id).first()
    if status is None:
        raise errors.CreateAccountStatusNotFoundException()
    return status


def list_create_account_status(caller: Caller,
                               states: Iterable[str] | None = None) -> list[CreateAccountStatus]:
    org = _management(caller, "organizations:ListCreateAccountStatus")
    _authorize(caller, "organizations:ListCreateAccountStatus", "*")
    statuses = CreateAccountStatus.objects.filter(organization=org)
    if states:
        statuses = statuses.filter(state__in=list(states))
    return list(statuses)


def describe_account(caller: Caller, account_id: str) -> Membership:
    org = _management(caller, "organizations:DescribeAccount")
    _authorize(caller, "organizations:DescribeAccount",
               arns.org_account(org.management_id, org.id, account_id))
    return _member(org, account_id)


def list_accounts(caller: Caller) -> list[Membership]:
    org = _management(caller, "organizations:ListAccounts")
    _authorize(caller, "organizations:ListAccounts", "*")
    return list(_members(org))


def list_accounts_for_parent(caller: Caller, parent_id: str) -> list[Membership]:
    org = _management(caller, "organizations:ListAccountsForParent")
    _authorize(caller, "organizations:ListAccountsForParent", _target_arn(org, parent_id))
    unit = _parent(org, parent_id)
    return list(_members(org).filter(parent=unit))


def account_paths(member: Membership) -> list[str]:
    """Account.Paths: `o-x/r-x/ou-a/<account id>/`."""
    return [unit_path(member.organization, member.parent) + f"{member.account_id}/"]


@operation
def move_account(caller: Caller, account_id: str, source_parent_id: str,
                 destination_parent_id: str) -> None:
    org = _management(caller, "organizations:MoveAccount", lock=True)
    _authorize(caller, "organizations:MoveAccount",
               arns.org_account(org.management_id, org.id, account_id))
    source = _parent(org, source_parent_id, errors.SourceParentNotFoundException)
    destination = _parent(org, destination_parent_id, errors.DestinationParentNotFoundException)
    member = _member(org, account_id)
    if member.parent_id != (source.id if source else None):
        raise errors.AccountNotFoundException()
    if source == destination:
        raise errors.DuplicateAccountException()
    member.parent = destination
    member.save(update_fields=["parent"])
    _changed(org)
    _record(caller, "MoveAccount", "account", account_id,
            arns.org_account(org.management_id, org.id, account_id),
            old={"ParentId": source_parent_id}, new={"ParentId": destination_parent_id})


def _remove(caller: Caller, org: Organization, member: Membership, action: str) -> None:
    """The account becomes a standalone account again: its attachments go, its IAM entities
    (OrganizationAccountAccessRole too, as AWS leaves it) stay."""
    if member.account_id == org.management_id:
        raise errors.MasterCannotLeaveOrganizationException()
    PolicyAttachment.objects.filter(organization=org, target_id=member.account_id).delete()
    member.delete()
    _changed(org)
    _record(caller, action, "account", member.account_id,
            arns.org_account(org.management_id, org.id, member.account_id),
            old={"AccountId": member.account_id, "OrganizationId": org.id})


@operation
def remove_account_from_organization(caller: Caller, account_id: str) -> None:
    org = _management(caller, "organizations:RemoveAccountFromOrganization", lock=True)
    _authorize(caller, "organizations:RemoveAccountFromOrganization",
               arns.org_account(org.management_id, org.id, account_id))
    _remove(caller, org, _member(org, account_id), "RemoveAccountFromOrganization")


@operation
def leave_organization(caller: Caller) -> None:
    """A member account leaves its organization (its own caller, not the management's)."""
    _authorize(caller, "organizations:LeaveOrganization", "*")
    org = organization_of(caller.account)
    if org is None:
        raise errors.AWSOrganizationsNotInUseException()
    Organization.objects.select_for_update(of=("self",)).filter(pk=org.pk).first()
    _remove(caller, org, _member(org, caller.account), "LeaveOrganization")


# --------------------------------------------------------------------------- OUs


def _unique_unit_name(org: Organization, parent: OrganizationalUnit | None, name: str,
                      exclude: str | None = None) -> None:
    siblings = OrganizationalUnit.objects.filter(organization=org, parent=parent, name=name)
    if exclude:
        siblings = siblings.exclude(id=exclude)
    if siblings.exists():
        raise errors.DuplicateOrganizationalUnitException()


MAX_OU_DEPTH = 5  # "Quotas for AWS Organizations": OUs nest five levels under the root


@operation
def create_organizational_unit(caller: Caller, parent_id: str, name: str,
                               tags: Any = None) -> OrganizationalUnit:
    org = _management(caller, "organizations:CreateOrganizationalUnit", lock=True)
    _authorize(caller, "organizations:CreateOrganizationalUnit", _target_arn(org, parent_id))
    parent = _parent(org, parent_id)
    tags = _tags(tags)
    depth, cursor = 1, parent
    while cursor is not None:
        depth, cursor = depth + 1, cursor.parent
    if depth > MAX_OU_DEPTH:
        raise errors.ConstraintViolationException(
            "You have exceeded the maximum depth of organizational units in the organization.",
            reason="OU_DEPTH_LIMIT_EXCEEDED")
    _unique_unit_name(org, parent, name)
    unit = OrganizationalUnit.objects.create(
        id=random_id(f"ou-{org.root.id[2:]}-", 8), organization=org, parent=parent,
        name=name, tags=tags)
    _attach_full_access(org, OU, unit.id)
    _changed(org)
    _record(caller, "CreateOrganizationalUnit", "ou", unit.id, unit.arn,
            new={"Id": unit.id, "Name": name, "ParentId": parent_id})
    return unit


def describe_organizational_unit(caller: Caller, ou_id: str) -> OrganizationalUnit:
    org = _management(caller, "organizations:DescribeOrganizationalUnit")
    _authorize(caller, "organizations:DescribeOrganizationalUnit", _target_arn(org, ou_id))
    return _unit(org, ou_id)


@operation
def update_organizational_unit(caller: Caller, ou_id: str,
                               name: str | None = None) -> OrganizationalUnit:
    org = _management(caller, "organizations:UpdateOrganizationalUnit", lock=True)
    _authorize(caller, "organizations:UpdateOrganizationalUnit", _target_arn(org, ou_id))
    unit = _unit(org, ou_id)
    if name is not None and name != unit.name:
        _unique_unit_name(org, unit.parent, name, exclude=unit.id)
        old = unit.name
        unit.name = name
        unit.save(update_fields=["name"])
        _changed(org)
        _record(caller, "UpdateOrganizationalUnit", "ou", unit.id, unit.arn,
                old={"Name": old}, new={"Name": name})
    return unit


@operation
def delete_organizational_unit(caller: Caller, ou_id: str) -> None:
    org = _management(caller, "organizations:DeleteOrganizationalUnit", lock=True)
    _authorize(caller, "organizations:DeleteOrganizationalUnit", _target_arn(org, ou_id))
    unit = _unit(org, ou_id)
    if unit.children.exists() or unit.accounts.exists():
        raise errors.OrganizationalUnitNotEmptyException()
    PolicyAttachment.objects.filter(organization=org, target_id=unit.id).delete()
    _record(caller, "DeleteOrganizationalUnit", "ou", unit.id, unit.arn,
            old={"Id": unit.id, "Name": unit.name})
    unit.delete()
    _changed(org)


def list_organizational_units_for_parent(caller: Caller,
                                         parent_id: str) -> list[OrganizationalUnit]:
    org = _management(caller, "organizations:ListOrganizationalUnitsForParent")
    _authorize(caller, "organizations:ListOrganizationalUnitsForParent",
               _target_arn(org, parent_id))
    parent = _parent(org, parent_id)
    return list(_units(org).filter(parent=parent))


def list_children(caller: Caller, parent_id: str, child_type: str) -> list[tuple[str, str]]:
    """[(Id, Type)] of the OUs or accounts directly under `parent_id`."""
    org = _management(caller, "organizations:ListChildren")
    _authorize(caller, "organizations:ListChildren", _target_arn(org, parent_id))
    parent = _parent(org, parent_id)
    if child_type == OU:
        return [(unit.id, OU) for unit in
                OrganizationalUnit.objects.filter(organization=org, parent=parent)]
    if child_type == ACCOUNT:
        return [(member.account_id, ACCOUNT) for member in org.memberships.filter(parent=parent)]
    raise errors.InvalidInputException(reason="INVALID_ENUM")


def list_parents(caller: Caller, child_id: str) -> list[tuple[str, str]]:
    """[(Id, Type)]: the one root or OU directly above an OU or account."""
    org = _management(caller, "organizations:ListParents")
    _authorize(caller, "organizations:ListParents", _target_arn(org, child_id))
    parent: OrganizationalUnit | None
    if child_id.startswith("ou-"):
        unit = OrganizationalUnit.objects.filter(organization=org, id=child_id).first()
        if unit is None:
            raise errors.ChildNotFoundException()
        parent = unit.parent
    else:
        member = org.memberships.filter(account_id=child_id).select_related("parent").first()
        if member is None:
            raise errors.ChildNotFoundException()
        parent = member.parent
    return [(org.root.id, ROOT)] if parent is None else [(parent.id, OU)]


# --------------------------------------------------------------------------- policies


def _supported_type(policy_type: str) -> None:
    if policy_type not in POLICY_TYPES:
        raise errors.PolicyTypeNotAvailableForOrganizationException(
            f"iamconsole keeps only service control policies and resource control policies, "
            f"not {policy_type}.")


def _check_content(policy_type: str, content: str) -> str:
    if not isinstance(content, str) or not content:
        raise errors.InvalidInputException(reason="INPUT_REQUIRED")
    if len(content) > POLICY_MAX_CHARS:
        raise errors.ConstraintViolationException(
            "You have exceeded the maximum size of a policy document.",
            reason="POLICY_CONTENT_LIMIT_EXCEEDED")
    kinds = policy_validate.KINDS
    # TODO(integrator): once the engine's validator has the kinds "scp" and "rcp" (another
    # helper adds them), they are used here; until then an SCP is checked as an identity
    # policy and an RCP as a resource policy.
    kind = {SCP: "scp", RCP: "rcp"}[policy_type]
    if kind not in kinds:
        kind = "identity" if policy_type == SCP else "resource"
    findings = [f for f in policy_validate.validate_policy(content, kind)
                if f.severity == "error"]
    if findings:
        raise errors.MalformedPolicyDocumentException(findings=findings)
    return content


def _unique_policy_name(org: Organization, policy_type: str, name: str,
                        exclude: str | None = None) -> None:
    same = Policy.objects.filter(Q(organization=org) | Q(aws_managed=True), type=policy_type,
                                 name=name)
    if exclude:
        same = same.exclude(id=exclude)
    if same.exists():
        raise errors.DuplicatePolicyException()


@operation
def create_policy(caller: Caller, *, content: str, description: str, name: str,
                  type: str, tags: Any = None) -> Policy:
    org = _management(caller, "organizations:CreatePolicy", lock=True)
    policy_id = random_id("p-", 8)
    _authorize(caller, "organizations:CreatePolicy",
               arns.org_policy(org.management_id, org.id, type, policy_id))
    _supported_type(type)
    tags = _tags(tags)
    _check_content(type, content)
    _unique_policy_name(org, type, name)
    policy = Policy.objects.create(id=policy_id, organization=org, type=type, name=name,
                                   description=description or "", content=content,
                                   updated_at=clock.now(), tags=tags)
    _changed(org)
    _record(caller, "CreatePolicy", "policy", policy.id, policy.arn_in(org),
            new={"Name": name, "Type": type, "Content": content})
    return policy


def describe_policy(caller: Caller, policy_id: str) -> Policy:
    org = _management(caller, "organizations:DescribePolicy")
    _authorize(caller, "organizations:DescribePolicy", _policy_arn(org, policy_id))
    return _policy(org, policy_id)


def _editable(org: Organization, policy_id: str) -> Policy:
    policy = _policy(org, policy_id)
    if policy.aws_managed:
        raise errors.InvalidInputException(
            "You can't modify or delete a policy that is managed by AWS.",
            reason="IMMUTABLE_POLICY")
    return policy


@operation
def update_policy(caller: Caller, policy_id: str, *, name: str | None = None,
                  description: str | None = None, content: str | None = None) -> Policy:
    org = _management(caller, "organizations:UpdatePolicy", lock=True)
    _authorize(caller, "organizations:UpdatePolicy", _policy_arn(org, policy_id))
    policy = _editable(org, policy_id)
    old = {"Name": policy.name, "Description": policy.description, "Content": policy.content}
    if name is not None:
        _unique_policy_name(org, policy.type, name, exclude=policy.id)
        policy.name = name
    if description is not None:
        policy.description = description
    if content is not None:
        policy.content = _check_content(policy.type, content)
    policy.revision += 1
    policy.updated_at = clock.now()
    policy.save()
    _changed(org)
    _record(caller, "UpdatePolicy", "policy", policy.id, policy.arn_in(org), old=old,
            new={"Name": policy.name, "Description": policy.description,
                 "Content": policy.content})
    return policy


@operation
def delete_policy(caller: Caller, policy_id: str) -> None:
    org = _management(caller, "organizations:DeletePolicy", lock=True)
    _authorize(caller, "organizations:DeletePolicy", _policy_arn(org, policy_id))
    policy = _editable(org, policy_id)
    if policy.attachments.exists():
        raise errors.PolicyInUseException()
    _record(caller, "DeletePolicy", "policy", policy.id, policy.arn_in(org),
            old={"Name": policy.name, "Type": policy.type, "Content": policy.content})
    policy.delete()
    _changed(org)


def list_policies(caller: Caller, policy_type: str) -> list[Policy]:
    org = _management(caller, "organizations:ListPolicies")
    _authorize(caller, "organizations:ListPolicies", "*")
    return list(Policy.objects.filter(Q(organization=org) | Q(aws_managed=True),
                                      type=policy_type).order_by("-aws_managed", "name", "id"))


def list_policies_for_target(caller: Caller, target_id: str, policy_type: str) -> list[Policy]:
    org = _management(caller, "organizations:ListPoliciesForTarget")
    _authorize(caller, "organizations:ListPoliciesForTarget", _target_arn(org, target_id))
    _find_target(org, target_id, errors.TargetNotFoundException)
    return [attachment.policy for attachment in
            PolicyAttachment.objects.select_related("policy")
            .filter(organization=org, target_id=target_id, policy__type=policy_type)]


def list_targets_for_policy(caller: Caller, policy_id: str) -> list[Target]:
    org = _management(caller, "organizations:ListTargetsForPolicy")
    _authorize(caller, "organizations:ListTargetsForPolicy", _policy_arn(org, policy_id))
    policy = _policy(org, policy_id)
    return [_find_target(org, attachment.target_id, errors.TargetNotFoundException)
            for attachment in policy.attachments.filter(organization=org)]


@operation
def attach_policy(caller: Caller, policy_id: str, target_id: str) -> None:
    org = _management(caller, "organizations:AttachPolicy", lock=True)
    _authorize(caller, "organizations:AttachPolicy", _policy_arn(org, policy_id))
    _authorize(caller, "organizations:AttachPolicy", _target_arn(org, target_id))
    policy = _policy(org, policy_id)
    target = _find_target(org, target_id, errors.TargetNotFoundException)
    if not org.root.enabled(policy.type):
        raise errors.PolicyTypeNotEnabledException()
    if PolicyAttachment.objects.filter(organization=org, policy=policy,
                                       target_id=target.id).exists():
        raise errors.DuplicatePolicyAttachmentException()
    if PolicyAttachment.objects.filter(organization=org, target_id=target.id,
                                       policy__type=policy.type).count() >= 5:
        raise errors.ConstraintViolationException(
            "You have attached the maximum number of policies of this type to the target.",
            reason="MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    PolicyAttachment.objects.create(organization=org, policy=policy, target_type=target.type,
                                    target_id=target.id)
    _changed(org)
    _record(caller, "AttachPolicy", "policy", policy.id, policy.arn_in(org),
            new={"PolicyId": policy.id, "TargetId": target.id})


@operation
def detach_policy(caller: Caller, policy_id: str, target_id: str) -> None:
    """A target keeps at least one SCP while SCPs are enabled (AWS: ConstraintViolation
    MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED); RCPs may all go (RCPFullAWSAccess cannot be
    detached at all)."""
    org = _management(caller, "organizations:DetachPolicy", lock=True)
    _authorize(caller, "organizations:DetachPolicy", _policy_arn(org, policy_id))
    _authorize(caller, "organizations:DetachPolicy", _target_arn(org, target_id))
    policy = _policy(org, policy_id)
    target = _find_target(org, target_id, errors.TargetNotFoundException)
    attachment = PolicyAttachment.objects.filter(organization=org, policy=policy,
                                                 target_id=target.id).first()
    if attachment is None:
        raise errors.PolicyNotAttachedException()
    if policy.id == FULL_ACCESS[RCP]:
        raise errors.InvalidInputException(
            "You can't detach the RCPFullAWSAccess policy.", reason="NON_DETACHABLE_POLICY")
    if policy.type == SCP and PolicyAttachment.objects.filter(
            organization=org, target_id=target.id, policy__type=SCP).count() <= 1:
        raise errors.ConstraintViolationException(
            "You cannot remove the last service control policy from a target: every root, "
            "OU and account must have at least one attached.",
            reason="MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    attachment.delete()
    _changed(org)
    _record(caller, "DetachPolicy", "policy", policy.id, policy.arn_in(org),
            old={"PolicyId": policy.id, "TargetId": target.id})


def _find_root(org: Organization, root_id: str) -> Root:
    if root_id != org.root.id:
        raise errors.RootNotFoundException()
    return org.root


@operation
def enable_policy_type(caller: Caller, root_id: str, policy_type: str) -> Root:
    """Enabling SCPs (RCPs) attaches FullAWSAccess (RCPFullAWSAccess) to the root and to
    every OU and account, as AWS does, so nothing is denied until a policy says so."""
    org = _management(caller, "organizations:EnablePolicyType", lock=True)
    _authorize(caller, "organizations:EnablePolicyType",
               arns.org_root(org.management_id, org.id, root_id))
    root = _find_root(org, root_id)
    _supported_type(policy_type)
    if root.enabled(policy_type):
        raise errors.PolicyTypeAlreadyEnabledException()
    ensure_aws_managed()
    root.enabled_policy_types = [*root.enabled_policy_types, policy_type]
    root.save(update_fields=["enabled_policy_types"])
    full = FULL_ACCESS[policy_type]
    targets = [(ROOT, root.id)]
    targets += [(OU, unit_id) for unit_id in org.units.values_list("id", flat=True)]
    targets += [(ACCOUNT, account_id)
                for account_id in org.memberships.values_list("account_id", flat=True)]
    PolicyAttachment.objects.bulk_create(
        [PolicyAttachment(organization=org, policy_id=full, target_type=kind, target_id=id_)
         for kind, id_ in targets], ignore_conflicts=True)
    _changed(org)
    _record(caller, "EnablePolicyType", "root", root.id, root.arn,
            new={"PolicyType": policy_type})
    return root


@operation
def disable_policy_type(caller: Caller, root_id: str, policy_type: str) -> Root:
    """Every policy of the type is detached from every target (AWS does the same)."""
    org = _management(caller, "organizations:DisablePolicyType", lock=True)
    _authorize(caller, "organizations:DisablePolicyType",
               arns.org_root(org.management_id, org.id, root_id))
    root = _find_root(org, root_id)
    if not root.enabled(policy_type):
        raise errors.PolicyTypeNotEnabledException()
    root.enabled_policy_types = [t for t in root.enabled_policy_types if t != policy_type]
    root.save(update_fields=["enabled_policy_types"])
    PolicyAttachment.objects.filter(organization=org, policy__type=policy_type).delete()
    _changed(org)
    _record(caller, "DisablePolicyType", "root", root.id, root.arn,
            old={"PolicyType": policy_type})
    return root


def describe_effective_policy(caller: Caller, policy_type: str,
                              target_id: str | None = None) -> None:
    """AWS computes effective policies only for its management policy types (tag, backup,
    AI opt-out, chatbot, declarative... policies), never for SCPs or RCPs: those answer
    InvalidInputException. This installation keeps none of the other types, so for them no
    effective policy exists (EffectivePolicyNotFoundException)."""
    org = organization_of(caller.account)
    if org is None:
        raise errors.AWSOrganizationsNotInUseException()
    target_id = target_id or caller.account
    if target_id != caller.account and org.management_id != caller.account:
        raise errors.AccessDeniedException()
    _authorize(caller, "organizations:DescribeEffectivePolicy",
               arns.org_account(org.management_id, org.id, target_id))
    if policy_type not in EFFECTIVE_POLICY_TYPES:
        raise errors.InvalidInputException("You specified an invalid policy type.",
                                           reason="INVALID_ENUM_POLICY_TYPE")
    if not arns.is_account_id(target_id):
        raise errors.InvalidInputException(
            "Specifying an organization root or organizational unit (OU) as the target is not "
            "supported.", reason="TARGET_NOT_SUPPORTED")
    _find_target(org, target_id, errors.TargetNotFoundException)
    raise errors.EffectivePolicyNotFoundException()


# --------------------------------------------------------------------------- tags


def _tags(tags: Iterable[Mapping[str, str]] | Mapping[str, str] | None) -> dict[str, str]:
    if not tags:
        return {}
    items = list(tags.items()) if isinstance(tags, Mapping) else [
        (tag.get("Key"), tag.get("Value", "")) for tag in tags]
    result: dict[str, str] = {}
    for key, value in items:
        if not isinstance(key, str) or not isinstance(value, str):
            raise errors.InvalidInputException(reason="INVALID_PATTERN")
        if key.lower().startswith("aws:"):
            raise errors.InvalidInputException(
                "You can't use a tag key that begins with aws:.",
                reason="INVALID_SYSTEM_TAGS_PARAMETER")
        if key in result:
            raise errors.InvalidInputException("You specified a tag key more than once.",
                                               reason="DUPLICATE_TAG_KEY")
        result[key] = value
    if len(result) > MAX_TAGS:
        raise errors.ConstraintViolationException(
            "You have exceeded the number of tags allowed on this resource.",
            reason="MAX_TAG_LIMIT_EXCEEDED")
    return result


def _taggable(org: Organization, resource_id: str):
    """The row whose `tags` a TagResource call changes, and its ARN."""
    if resource_id == org.root.id:
        return org.root, org.root.arn
    if resource_id.startswith("ou-"):
        unit = OrganizationalUnit.objects.filter(organization=org, id=resource_id).first()
        if unit is not None:
            return unit, _target_arn(org, unit.id)
    elif resource_id.startswith("p-"):
        policy = Policy.objects.filter(organization=org, id=resource_id).first()
        if policy is not None:
            return policy, policy.arn_in(org)
    elif arns.is_account_id(resource_id):
        member = org.memberships.filter(account_id=resource_id).first()
        if member is not None:
            return member, _target_arn(org, resource_id)
    raise errors.TargetNotFoundException()


def _resource_arn(org: Organization, resource_id: str) -> str:
    if resource_id.startswith("p-"):
        return _policy_arn(org, resource_id)
    return _target_arn(org, resource_id)


@operation
def tag_resource(caller: Caller, resource_id: str, tags: Any) -> None:
    org = _management(caller, "organizations:TagResource", lock=True)
    _authorize(caller, "organizations:TagResource", _resource_arn(org, resource_id))
    row, arn = _taggable(org, resource_id)
    new = {**row.tags, **_tags(tags)}
    if len(new) > MAX_TAGS:
        raise errors.ConstraintViolationException(
            "You have exceeded the number of tags allowed on this resource.",
            reason="MAX_TAG_LIMIT_EXCEEDED")
    old, row.tags = row.tags, new
    row.save(update_fields=["tags"])
    _changed(org)
    _record(caller, "TagResource", "tags", resource_id, arn, old=old, new=new)


@operation
def untag_resource(caller: Caller, resource_id: str, tag_keys: Iterable[str]) -> None:
    org = _management(caller, "organizations:UntagResource", lock=True)
    _authorize(caller, "organizations:UntagResource", _resource_arn(org, resource_id))
    row, arn = _taggable(org, resource_id)
    drop = set(tag_keys)
    old, row.tags = row.tags, {k: v for k, v in row.tags.items() if k not in drop}
    row.save(update_fields=["tags"])
    _changed(org)
    _record(caller, "UntagResource", "tags", resource_id, arn, old=old, new=row.tags)


def list_tags_for_resource(caller: Caller, resource_id: str) -> dict[str, str]:
    org = _management(caller, "organizations:ListTagsForResource")
    _authorize(caller, "organizations:ListTagsForResource", _resource_arn(org, resource_id))
    row, _arn = _taggable(org, resource_id)
    return dict(row.tags)


# --------------------------------------------------------------------------- the whole tree


@dataclass
class TreeNode:
    """The root or an OU, with what is under it and the policies attached to it."""

    type: str  # ROOT | ORGANIZATIONAL_UNIT
    id: str
    name: str
    arn: str
    policies: list[Policy]
    units: list[TreeNode]
    accounts: list[tuple[Membership, list[Policy]]]


def organization_tree(caller: Caller) -> tuple[Organization, TreeNode]:
    """The management account's organization as one tree (the console's read-only page):
    the root, its OUs and accounts at every level, the SCPs and RCPs attached to each."""
    org = _management(caller, "organizations:ListChildren")
    _authorize(caller, "organizations:ListChildren", org.root.arn)
    _authorize(caller, "organizations:ListPoliciesForTarget", org.root.arn)
    attached: dict[str, list[Policy]] = {}
    for attachment in (PolicyAttachment.objects.select_related("policy")
                       .filter(organization=org).order_by("policy__type", "policy__name")):
        attached.setdefault(attachment.target_id, []).append(attachment.policy)
    units = list(OrganizationalUnit.objects.filter(organization=org).order_by("name", "id"))
    members = list(org.memberships.select_related("account").order_by("account_id"))
    nodes = {unit.id: TreeNode(OU, unit.id, unit.name, _target_arn(org, unit.id),
                               attached.get(unit.id, []), [], []) for unit in units}
    root = TreeNode(ROOT, org.root.id, org.root.name, org.root.arn,
                    attached.get(org.root.id, []), [], [])
    for unit in units:
        (nodes[unit.parent_id] if unit.parent_id else root).units.append(nodes[unit.id])
    for member in members:
        node = nodes[member.parent_id] if member.parent_id else root
        node.accounts.append((member, attached.get(member.account_id, [])))
    return org, root


@dataclass(frozen=True)
class AccountPlace:
    """Where the caller's own account sits in its organization (the console's account page):
    any account of the organization may read its own place, as DescribeOrganization."""

    organization: Organization
    membership: Membership
    path: str  # o-x/r-x/ou-a/<account id>/
    names: list[str]  # Root, then each OU's name down to the account's parent


def describe_own_account(caller: Caller) -> AccountPlace | None:
    """The caller's account's place in its organization, or None outside any."""
    _authorize(caller, "organizations:DescribeOrganization", "*")
    member = (Membership.objects.select_related(*_ORG, "parent")
              .filter(account_id=caller.account).first())
    if member is None:
        return None
    names: list[str] = []
    unit = member.parent
    while unit is not None:
        names.append(unit.name)
        unit = unit.parent
    return AccountPlace(member.organization, member, account_paths(member)[0],
                        [member.organization.root.name, *reversed(names)])
