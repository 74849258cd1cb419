"""An organization of accounts, as AWS Organizations keeps it.

One organization per management account; one root per organization (AWS has one too); OUs
nest under the root or another OU; every account of the organization (the management account
too) has one `Membership` naming its parent (no OU: the root). Policies of the organization
are its own; AWS's managed ones (FullAWSAccess, RCPFullAWSAccess) belong to none.
`Organization.revision` grows with every change, so a cache of guardrails keyed by it is
never stale.
"""

from __future__ import annotations

import json
import secrets
import string

from django.db import models
from django.utils import timezone

from iamconsole.iam import arns

SCP, RCP = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"
POLICY_TYPES = (SCP, RCP)
FULL_ACCESS = {SCP: "p-FullAWSAccess", RCP: "p-RCPFullAWSAccess"}
_LOWER = string.ascii_lowercase + string.digits


def random_id(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(_LOWER) for _ in range(length))


class Organization(models.Model):
    ALL = "ALL"

    id = models.CharField(primary_key=True, max_length=34)  # o-[a-z0-9]{10}
    management_account = models.OneToOneField("iam.Account", on_delete=models.PROTECT,
                                              related_name="managed_organization")
    feature_set = models.CharField(max_length=32, default=ALL)
    # IAM's centralized root access (EnableOrganizationsRootCredentialsManagement /
    # EnableOrganizationsRootSessions): "RootCredentialsManagement", "RootSessions".
    iam_features = models.JSONField(default=list, blank=True)
    revision = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return self.id

    @property
    def management_id(self) -> str:
        return self.management_account_id

    @property
    def arn(self) -> str:
        return arns.organization(self.management_id, self.id)


class Root(models.Model):
    id = models.CharField(primary_key=True, max_length=34)  # r-[a-z0-9]{4}
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE,
                                        related_name="root")
    name = models.CharField(max_length=128, default="Root")
    enabled_policy_types = models.JSONField(default=list)
    tags = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.id

    @property
    def arn(self) -> str:
        return arns.org_root(self.organization.management_id, self.organization_id, self.id)

    def enabled(self, policy_type: str) -> bool:
        return policy_type in self.enabled_policy_types


class OrganizationalUnit(models.Model):
    id = models.CharField(primary_key=True, max_length=68)  # ou-<root 4>-<8>
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="units")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")  # None: the root
    name = models.CharField(max_length=128)
    tags = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.id

    @property
    def arn(self) -> str:
        return arns.org_unit(self.organization.management_id, self.organization_id, self.id)


class Membership(models.Model):
    """An account's place in its organization."""

    CREATED, INVITED = "CREATED", "INVITED"
    ACTIVE = "ACTIVE"

    account = models.OneToOneField("iam.Account", on_delete=models.CASCADE,
                                   related_name="membership")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="memberships")
    parent = models.ForeignKey(OrganizationalUnit, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="accounts")
    joined_method = models.CharField(max_length=16, default=CREATED)
    joined_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, default=ACTIVE)
    tags = models.JSONField(default=dict)

    class Meta:
        ordering = ["joined_at", "account_id"]

    def __str__(self) -> str:
        return self.account_id

    @property
    def arn(self) -> str:
        return arns.org_account(self.organization.management_id, self.organization_id,
                                self.account_id)


class Policy(models.Model):
    id = models.CharField(primary_key=True, max_length=130)  # p-[a-z0-9]{8}
    organization = models.ForeignKey(Organization, null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="policies")
    type = models.CharField(max_length=40)
    name = models.CharField(max_length=128)
    description = models.CharField(max_length=512, blank=True, default="")
    content = models.TextField()
    aws_managed = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    tags = models.JSONField(default=dict)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.id

    def arn_in(self, organization: Organization) -> str:
        return arns.org_policy(organization.management_id, organization.id, self.type,
                               self.id, aws_managed=self.aws_managed)


class PolicyAttachment(models.Model):
    """A policy attached to a root, an OU or an account of the organization."""

    ROOT, OU, ACCOUNT = "ROOT", "ORGANIZATIONAL_UNIT", "ACCOUNT"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="attachments")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="attachments")
    target_type = models.CharField(max_length=24)
    target_id = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "policy", "target_id"],
                                               name="orgs_attachment_unique")]
        indexes = [models.Index(fields=["organization", "target_id"])]

    def __str__(self) -> str:
        return f"{self.policy_id}@{self.target_id}"


class AccessReport(models.Model):
    """A GenerateOrganizationsAccessReport job: computed when generated (its JobStatus is
    COMPLETED at once), kept for GetOrganizationsAccessReport."""

    id = models.CharField(primary_key=True, max_length=36)  # JobId, a UUID
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="access_reports")
    entity_path = models.CharField(max_length=427)
    policy_id = models.CharField(max_length=130, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(default=timezone.now)
    details = models.JSONField(default=list)  # AccessDetails, sorted by service namespace

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.id


class CreateAccountStatus(models.Model):
    SUCCEEDED, FAILED, IN_PROGRESS = "SUCCEEDED", "FAILED", "IN_PROGRESS"

    id = models.CharField(primary_key=True, max_length=36)  # car-[a-z0-9]{32}
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="create_account_requests")
    account_name = models.CharField(max_length=50)
    state = models.CharField(max_length=16, default=SUCCEEDED)
    requested_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    account_id = models.CharField(max_length=12, blank=True, default="")
    failure_reason = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return self.id


_FULL_ACCESS_POLICIES = {
    SCP: ("FullAWSAccess", "Allows access to every operation",
          {"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    RCP: ("RCPFullAWSAccess", "Allows access to every resource",
          {"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*",
                          "Resource": "*"}]}),
}


def ensure_aws_managed(using: str = "default") -> None:
    """AWS's managed FullAWSAccess (SCP) and RCPFullAWSAccess (RCP), attached wherever a
    policy type is enabled, as AWS does."""
    for policy_type, (name, description, document) in _FULL_ACCESS_POLICIES.items():
        Policy.objects.using(using).get_or_create(
            id=FULL_ACCESS[policy_type],
            defaults={"type": policy_type, "name": name, "description": description,
                      "content": json.dumps(document, indent=4), "aws_managed": True})
