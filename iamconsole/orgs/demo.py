"""The demo organization for `make run` (after iam.demo's users, groups and roles): created
through the organization's domain operations, idempotent."""

from __future__ import annotations

from django.db import transaction

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.demo import doc

from . import services as orgs
from .models import Membership

SANDBOX_EMAIL = "sandbox@example.com"
DENY_LEAVING = doc({"Sid": "StayInTheOrganization", "Effect": "Deny",
                    "Action": ["organizations:LeaveOrganization", "iam:CreateAccountAlias"],
                    "Resource": "*"})


def seed(caller: Caller | None = None) -> str:
    """An organization managed by this account, with one member account "sandbox" in the OU
    Sandboxes under an SCP (reach it with Switch role: OrganizationAccountAccessRole); the
    member account's id. Idempotent, one transaction."""
    caller = caller or Caller.system("seed_demo")
    with transaction.atomic():
        if orgs.organization_of(caller.account) is None:
            orgs.create_organization(caller)
        return _sandbox(caller)


def _sandbox(caller: Caller) -> str:
    sandbox = Membership.objects.filter(account__email=SANDBOX_EMAIL).first()
    if sandbox is not None:
        return sandbox.account_id
    root = orgs.list_roots(caller)[0]
    status = orgs.create_account(caller, email=SANDBOX_EMAIL, account_name="sandbox")
    unit = orgs.create_organizational_unit(caller, root.id, "Sandboxes")
    orgs.move_account(caller, status.account_id, root.id, unit.id)
    orgs.enable_policy_type(caller, root.id, "SERVICE_CONTROL_POLICY")
    policy = orgs.create_policy(caller, content=DENY_LEAVING, name="StayInTheOrganization",
                                description="Member accounts stay and keep their sign-in URL",
                                type="SERVICE_CONTROL_POLICY")
    orgs.attach_policy(caller, policy.id, unit.id)
    # The root user cannot switch roles (AWS): dave, of Admins, may enter the sandbox.
    iam.put_group_policy(caller, "Admins", "EnterMemberAccounts", doc({
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Resource": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}))
    return status.account_id
