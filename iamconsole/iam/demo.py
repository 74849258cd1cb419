"""Demo data for `make run` (`manage.py seed_demo`): a root-capable administrator, a few users,
groups, roles and policies, the AWS-style managed policies, and a delegated administrator whose
permissions boundary stops privilege escalation.

Idempotent: what exists is left alone, what is missing is created, always through the domain
operations (acting as the account itself, `Caller.system`), so the audit log shows the seeding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction

from . import arns, aws_catalog, kinds
from . import services as iam
from .caller import Caller
from .models import Group, ManagedPolicy, Role, User
from .services import self_service
from .services._common import MAX_POLICY_VERSIONS
from .services.policies import default_version

ADMIN_NAME = "admin"
ADMIN_PASSWORD = "Admin-Passw0rd!"
DEMO_PASSWORD = "Demo-Passw0rd!"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


# The self-service policy every account ships with (IAMConsoleManageOwnCredentials, AWS's
# documented example, users with paths included): the demo's Developers get it.
SELF_SERVICE_POLICY_NAME = self_service.POLICY_NAME
SELF_SERVICE_POLICY = self_service.DOCUMENT

BOUNDARY_NAME = "DeveloperBoundary"
DELEGATED_POLICY_NAME = "DelegatedUserAdmin"


def customer_policies() -> dict[str, tuple[str, str]]:
    boundary = arns.policy(BOUNDARY_NAME)
    return {
        BOUNDARY_NAME: (
            "Permissions boundary for users created by the delegated administrator: at most "
            "S3, CloudWatch and reading IAM, never changing IAM.",
            doc({"Sid": "AllowedServices", "Effect": "Allow",
                 "Action": ["s3:*", "cloudwatch:*", "logs:*", "iam:Get*", "iam:List*",
                            "iam:ChangePassword"],
                 "Resource": "*"}),
        ),
        "S3DevBucketAccess": (
            "Read and write the development buckets.",
            doc({"Sid": "ListDevBuckets", "Effect": "Allow", "Action": ["s3:ListBucket"],
                 "Resource": ["arn:aws:s3:::dev-*"]},
                {"Sid": "ReadWriteDevObjects", "Effect": "Allow",
                 "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                 "Resource": ["arn:aws:s3:::dev-*/*"]}),
        ),
        DELEGATED_POLICY_NAME: (
            "Create users only with the DeveloperBoundary permissions boundary and manage the "
            "Developers group; never change or remove any user's or role's boundary (no "
            "privilege escalation, no loosening a stricter boundary, no locking admins out).",
            doc(
                {"Sid": "ReadIAM", "Effect": "Allow",
                 "Action": ["iam:Get*", "iam:List*", "iam:SimulatePrincipalPolicy",
                            "iam:SimulateCustomPolicy", "iam:GetCredentialReport"],
                 "Resource": "*"},
                # CreateUser alone: a new user gets the boundary with it. Putting a boundary on
                # an existing user is not granted: it could loosen a stricter boundary, or bind
                # an administrator to DeveloperBoundary and strip their IAM rights.
                {"Sid": "CreateUsersOnlyWithBoundary", "Effect": "Allow",
                 "Action": ["iam:CreateUser"],
                 "Resource": "*",
                 "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary}}},
                {"Sid": "ManageDeveloperMembership", "Effect": "Allow",
                 "Action": ["iam:AddUserToGroup", "iam:RemoveUserFromGroup"],
                 "Resource": [kinds.GROUP.arn("Developers")]},
                {"Sid": "NoBoundaryPolicyEdit", "Effect": "Deny",
                 "Action": ["iam:CreatePolicyVersion", "iam:DeletePolicy",
                            "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
                 "Resource": [boundary, arns.policy(DELEGATED_POLICY_NAME)]},
                {"Sid": "NoBoundaryChange", "Effect": "Deny",
                 "Action": ["iam:PutUserPermissionsBoundary", "iam:PutRolePermissionsBoundary",
                            "iam:DeleteUserPermissionsBoundary",
                            "iam:DeleteRolePermissionsBoundary"],
                 "Resource": "*"},
            ),
        ),
    }


GROUPS = {
    "Admins": [arns.policy("IAMFullAccess", aws_managed=True)],
    "Developers": ["S3DevBucketAccess", arns.policy("IAMUserChangePassword", aws_managed=True),
                   SELF_SERVICE_POLICY_NAME],
    "Auditors": [arns.policy("IAMReadOnlyAccess", aws_managed=True)],
}

# name → (path, groups, password?, tags, boundary policy name or None)
USERS = {
    "alice": ("/engineering/", ["Developers"], True, {"team": "platform"}, None),
    "bob": ("/engineering/", ["Developers"], True, {"team": "data"}, None),
    "carol": ("/security/", ["Auditors"], True, {"team": "security"}, None),
    "dave": ("/ops/", ["Admins"], True, {"team": "ops"}, None),
    "ci-bot": ("/automation/", [], False, {"purpose": "ci"}, None),
    "delegated-admin": ("/", [], True, {"role": "delegated-admin"}, None),
}

ROLES = {
    "EC2AppRole": (
        "Lets EC2 instances of the application read the development buckets.",
        doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
             "Action": "sts:AssumeRole"}),
        ["S3DevBucketAccess"],
    ),
    "AuditorRole": (
        "Read-only access for auditors from this account, with MFA.",
        None,  # trust policy depends on the account id, built below
        [arns.policy("IAMReadOnlyAccess", aws_managed=True)],
    ),
}



@dataclass
class Seeded:
    admin_created: bool  # False: the administrator existed, its password is unchanged
    root_exists: bool = False  # another root user exists: no administrator was created


def seed() -> Seeded:
    """Create what is missing of the demo data, in one transaction."""
    caller = Caller.system("seed_demo")
    with transaction.atomic():
        seeded = _admin()
        _managed_policies(caller)
        _groups(caller)
        _users(caller)
        _roles(caller)
    return seeded


def _admin() -> Seeded:
    if User.objects.filter(name__ci=ADMIN_NAME).exists():
        return Seeded(admin_created=False)
    if User.objects.filter(is_root=True).exists():
        return Seeded(admin_created=False, root_exists=True)
    User.objects.create_superuser(ADMIN_NAME, ADMIN_PASSWORD)
    return Seeded(admin_created=True)


def _managed_policies(caller: Caller) -> None:
    # AWS's managed policies (IAMFullAccess, IAMReadOnlyAccess...) come from the catalog,
    # which `migrate` loads; a database without it (AWS_MANAGED_POLICIES_AUTOLOAD=0) gets it.
    if not ManagedPolicy.objects.filter(is_aws_managed=True).exists():
        aws_catalog.sync(aws_catalog.load(aws_catalog.dataset_path()))
    self_service.ensure_self_service_policy(caller)
    for name, (description, document) in customer_policies().items():
        policy = ManagedPolicy.objects.filter(name=name, is_aws_managed=False).first()
        if policy is None:
            iam.create_policy(caller, name, document, description=description)
        elif json.loads(default_version(policy).document) != json.loads(document):
            # Demo data seeded by an older release (e.g. the DelegatedUserAdmin that could
            # put its boundary on any user): its document becomes the default version.
            for old in policy.versions.filter(is_default=False).order_by("number"):
                if policy.versions.count() < MAX_POLICY_VERSIONS:
                    break
                iam.delete_policy_version(caller, policy.arn, f"v{old.number}")
            iam.create_policy_version(caller, policy.arn, document, set_as_default=True)


def _arn(name_or_arn: str) -> str:
    return name_or_arn if name_or_arn.startswith("arn:") else arns.policy(name_or_arn)


def _groups(caller: Caller) -> None:
    for name, policies in GROUPS.items():
        if not Group.objects.filter(name=name).exists():
            iam.create_group(caller, name)
            for policy in policies:
                iam.attach_group_policy(caller, name, _arn(policy))


def _users(caller: Caller) -> None:
    for name, (path, groups, password, tags, boundary) in USERS.items():
        if User.objects.filter(name__ci=name).exists():
            continue
        iam.create_user(caller, name, path=path, tags=tags,
                        permissions_boundary=arns.policy(boundary) if boundary else None)
        for group in groups:
            iam.add_user_to_group(caller, group, name)
        if password:
            iam.create_login_profile(caller, name, DEMO_PASSWORD)
    if not User.objects.get(name="delegated-admin").policy_attachments.exists():
        iam.attach_user_policy(caller, "delegated-admin", arns.policy(DELEGATED_POLICY_NAME))
    ci = User.objects.get(name="ci-bot")
    if not ci.access_keys.exists():
        iam.create_access_key(caller, "ci-bot")
        iam.put_user_policy(caller, "ci-bot", "DeployArtifacts", doc(
            {"Effect": "Allow", "Action": ["s3:PutObject"],
             "Resource": "arn:aws:s3:::dev-artifacts/*"}))


def _roles(caller: Caller) -> None:
    for name, (description, trust, policies) in ROLES.items():
        if Role.objects.filter(name=name).exists():
            continue
        if trust is None:
            trust = doc({"Effect": "Allow", "Principal": {"AWS": arns.root()},
                         "Action": "sts:AssumeRole",
                         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
        iam.create_role(caller, name, trust, description=description)
        for policy in policies:
            iam.attach_role_policy(caller, name, _arn(policy))

