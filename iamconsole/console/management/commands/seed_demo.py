"""Demo data for `make run`: a root-capable administrator, a few users, groups, roles and
policies, the AWS-style managed policies, and a delegated administrator whose permissions
boundary stops privilege escalation.

Idempotent: what exists is left alone, what is missing is created, always through the domain
operations (acting as the account itself, `Caller.system`), so the audit log shows the seeding.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.db import transaction

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import Group, ManagedPolicy, Role, User
from iamconsole.iam.services._common import MAX_POLICY_VERSIONS
from iamconsole.iam.services.groups import group_arn
from iamconsole.iam.services.policies import default_version, policy_arn

ADMIN_NAME = "admin"
ADMIN_PASSWORD = "Admin-Passw0rd!"
DEMO_PASSWORD = "Demo-Passw0rd!"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


# AWS's managed policies, as AWS publishes them (IAM-related parts).
AWS_MANAGED = {
    "IAMFullAccess": (
        "Provides full access to IAM.",
        doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}),
    ),
    "IAMReadOnlyAccess": (
        "Provides read only access to IAM.",
        doc({"Effect": "Allow",
             "Action": ["iam:GenerateCredentialReport", "iam:GenerateServiceLastAccessedDetails",
                        "iam:Get*", "iam:List*", "iam:SimulateCustomPolicy",
                        "iam:SimulatePrincipalPolicy"],
             "Resource": "*"}),
    ),
    "IAMUserChangePassword": (
        "Provides the ability for an IAM user to change their own password.",
        doc({"Effect": "Allow", "Action": ["iam:ChangePassword"],
             "Resource": ["arn:aws:iam::*:user/${aws:username}"]},
            {"Effect": "Allow", "Action": ["iam:GetAccountPasswordPolicy"], "Resource": "*"}),
    ),
    "AdministratorAccess": (
        "Provides full access to AWS services and resources.",
        doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    ),
}

BOUNDARY_NAME = "DeveloperBoundary"
DELEGATED_POLICY_NAME = "DelegatedUserAdmin"


def customer_policies() -> dict[str, tuple[str, str]]:
    boundary = policy_arn(BOUNDARY_NAME)
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
                 "Resource": [group_arn("Developers")]},
                {"Sid": "NoBoundaryPolicyEdit", "Effect": "Deny",
                 "Action": ["iam:CreatePolicyVersion", "iam:DeletePolicy",
                            "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
                 "Resource": [boundary, policy_arn(DELEGATED_POLICY_NAME)]},
                {"Sid": "NoBoundaryChange", "Effect": "Deny",
                 "Action": ["iam:PutUserPermissionsBoundary", "iam:PutRolePermissionsBoundary",
                            "iam:DeleteUserPermissionsBoundary",
                            "iam:DeleteRolePermissionsBoundary"],
                 "Resource": "*"},
            ),
        ),
    }


GROUPS = {
    "Admins": ["arn:aws:iam::aws:policy/IAMFullAccess"],
    "Developers": ["S3DevBucketAccess", "arn:aws:iam::aws:policy/IAMUserChangePassword"],
    "Auditors": ["arn:aws:iam::aws:policy/IAMReadOnlyAccess"],
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
        ["arn:aws:iam::aws:policy/IAMReadOnlyAccess"],
    ),
}


class Command(BaseCommand):
    help = "Create the demo data (idempotent): admin user, users, groups, roles and policies."

    def handle(self, *args, **options):
        caller = Caller.system("seed_demo")
        with transaction.atomic():
            created_admin = self._admin()
            self._managed_policies(caller)
            self._groups(caller)
            self._users(caller)
            self._roles(caller)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        note = "" if created_admin else " (existing user: password unchanged)"
        self.stdout.write(f"Sign in as the administrator: {ADMIN_NAME} / {ADMIN_PASSWORD}{note}")
        self.stdout.write(f"Demo users (alice, bob, carol, dave, delegated-admin): "
                          f"password {DEMO_PASSWORD}")

    def _admin(self) -> bool:
        if User.objects.filter(name__ci=ADMIN_NAME).exists():
            return False
        if User.objects.filter(is_root=True).exists():
            self.stdout.write(self.style.WARNING("A root user already exists: skipping admin."))
            return False
        User.objects.create_superuser(ADMIN_NAME, ADMIN_PASSWORD)
        return True

    def _managed_policies(self, caller: Caller) -> None:
        for name, (description, document) in AWS_MANAGED.items():
            if not ManagedPolicy.objects.filter(name=name, is_aws_managed=True).exists():
                iam.create_policy(caller, name, document, description=description,
                                  aws_managed=True)
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

    @staticmethod
    def _arn(name_or_arn: str) -> str:
        return name_or_arn if name_or_arn.startswith("arn:") else policy_arn(name_or_arn)

    def _groups(self, caller: Caller) -> None:
        for name, policies in GROUPS.items():
            if not Group.objects.filter(name=name).exists():
                iam.create_group(caller, name)
                for policy in policies:
                    iam.attach_group_policy(caller, name, self._arn(policy))

    def _users(self, caller: Caller) -> None:
        for name, (path, groups, password, tags, boundary) in USERS.items():
            if User.objects.filter(name__ci=name).exists():
                continue
            iam.create_user(caller, name, path=path, tags=tags,
                            permissions_boundary=policy_arn(boundary) if boundary else None)
            for group in groups:
                iam.add_user_to_group(caller, group, name)
            if password:
                iam.create_login_profile(caller, name, DEMO_PASSWORD)
        if not User.objects.get(name="delegated-admin").policy_attachments.exists():
            iam.attach_user_policy(caller, "delegated-admin", policy_arn(DELEGATED_POLICY_NAME))
        ci = User.objects.get(name="ci-bot")
        if not ci.access_keys.exists():
            iam.create_access_key(caller, "ci-bot")
            iam.put_user_policy(caller, "ci-bot", "DeployArtifacts", doc(
                {"Effect": "Allow", "Action": ["s3:PutObject"],
                 "Resource": "arn:aws:s3:::dev-artifacts/*"}))

    def _roles(self, caller: Caller) -> None:
        from iamconsole.iam import identifiers as ids

        for name, (description, trust, policies) in ROLES.items():
            if Role.objects.filter(name=name).exists():
                continue
            if trust is None:
                trust = doc({"Effect": "Allow",
                             "Principal": {"AWS": f"arn:aws:iam::{ids.account_id()}:root"},
                             "Action": "sts:AssumeRole",
                             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
            iam.create_role(caller, name, trust, description=description)
            for policy in policies:
                iam.attach_role_policy(caller, name, self._arn(policy))
