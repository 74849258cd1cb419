"""The Organizations domain operations and what they give the policy engine (guardrails,
org_context, the organization's revision), through the real domain layer and database."""

import json

import pytest
from accounts_fixtures import A, B, in_account, second_account
from personas import ADMIN_POLICY, caller_for, make_user

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, Role
from iamconsole.orgs import errors, guardrails
from iamconsole.orgs import services as orgs
from iamconsole.orgs.models import RCP, SCP

DENY_S3 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
ALLOW_ALL_RCP = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})


@pytest.fixture
def management(db) -> Caller:
    return Caller.system("test")  # acts as the default account A itself


@pytest.fixture
def built(management):
    """An organization of A with a member under OU Prod/Inner and another under the root."""
    org = orgs.create_organization(management)
    root = org.root.id
    prod = orgs.create_organizational_unit(management, root, "Prod")
    inner = orgs.create_organizational_unit(management, prod.id, "Inner")
    deep = orgs.create_account(management, email="deep@example.com", account_name="deep")
    flat = orgs.create_account(management, email="flat@example.com", account_name="flat")
    orgs.move_account(management, deep.account_id, root, inner.id)
    return {"org": org, "root": root, "prod": prod.id, "inner": inner.id,
            "deep": deep.account_id, "flat": flat.account_id}


def test_create_organization_makes_the_callers_account_the_management(management):
    org = orgs.create_organization(management)
    assert org.management_id == A
    assert org.id.startswith("o-") and len(org.id) == 12
    assert org.root.id.startswith("r-") and len(org.root.id) == 6
    assert [m.account_id for m in orgs.list_accounts(management)] == [A]
    assert AuditEvent.objects.filter(action="organizations:CreateOrganization").count() == 1


def test_create_account_makes_an_account_with_the_access_role(built):
    with in_account(built["deep"]):
        role = Role.objects.get(name="OrganizationAccountAccessRole")
        trust = json.loads(role.assume_role_policy_document)
        assert trust["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{A}:root"}
        assert [p.name for p in role.inline_policies.all()] == ["AdministratorAccess"]


def test_org_context_gives_the_path_down_to_the_accounts_parent(built):
    org, root = built["org"].id, built["root"]
    assert guardrails.org_context(built["deep"]) == {
        "aws:PrincipalOrgID": org,
        "aws:PrincipalOrgPaths": [f"{org}/{root}/{built['prod']}/{built['inner']}/"]}
    assert guardrails.org_context(built["flat"])["aws:PrincipalOrgPaths"] == [f"{org}/{root}/"]
    assert guardrails.org_context(A)["aws:PrincipalOrgID"] == org
    assert guardrails.resource_org_context(built["flat"])["aws:ResourceOrgID"] == org


def test_org_context_of_an_account_in_no_organization_is_empty(db):
    second_account()
    assert guardrails.org_context(B) == {}
    assert guardrails.guardrails(B) == (None, None)
    assert guardrails.revision(B) is None


def test_guardrails_are_none_until_scps_are_enabled(built):
    assert guardrails.guardrails(built["deep"]) == (None, None)


def test_guardrails_list_each_level_from_the_root_down_to_the_account(built, management):
    orgs.enable_policy_type(management, built["root"], SCP)
    deny = orgs.create_policy(management, content=DENY_S3, description="", name="DenyS3",
                              type=SCP)
    orgs.attach_policy(management, deny.id, built["prod"])
    scps, rcps = guardrails.guardrails(built["deep"])
    assert rcps is None
    assert [[entry[0] for entry in level] for level in scps] == [
        ["p-FullAWSAccess"], ["p-FullAWSAccess", deny.id], ["p-FullAWSAccess"],
        ["p-FullAWSAccess"]]
    assert scps[1][1] == (deny.id, 1, DENY_S3)
    flat_scps, _ = guardrails.guardrails(built["flat"])
    assert len(flat_scps) == 2  # the root, the account


def test_guardrails_never_limit_the_management_account(built, management):
    orgs.enable_policy_type(management, built["root"], SCP)
    assert guardrails.guardrails(A) == (None, None)


def test_rcps_have_their_own_levels(built, management):
    orgs.enable_policy_type(management, built["root"], RCP)
    policy = orgs.create_policy(management, content=ALLOW_ALL_RCP, description="",
                                name="NoS3", type=RCP)
    orgs.attach_policy(management, policy.id, built["flat"])
    scps, rcps = guardrails.guardrails(built["flat"])
    assert scps is None
    assert [[entry[0] for entry in level] for level in rcps] == [
        ["p-RCPFullAWSAccess"], ["p-RCPFullAWSAccess", policy.id]]


def test_every_change_bumps_the_revision_and_an_update_the_policys(built, management):
    orgs.enable_policy_type(management, built["root"], SCP)
    before = guardrails.revision(built["deep"])
    policy = orgs.create_policy(management, content=DENY_S3, description="", name="D",
                                type=SCP)
    assert guardrails.revision(built["deep"]) == before + 1
    updated = orgs.update_policy(management, policy.id, content=DENY_S3.replace("s3", "ec2"))
    assert updated.revision == 2
    assert guardrails.revision(built["deep"]) == before + 2
    orgs.describe_policy(management, policy.id)  # reads change nothing
    assert guardrails.revision(built["deep"]) == before + 2


def test_disabling_scps_detaches_every_scp(built, management):
    orgs.enable_policy_type(management, built["root"], SCP)
    policy = orgs.create_policy(management, content=DENY_S3, description="", name="D",
                                type=SCP)
    orgs.attach_policy(management, policy.id, built["flat"])
    orgs.disable_policy_type(management, built["root"], SCP)
    assert orgs.list_targets_for_policy(management, policy.id) == []
    assert guardrails.guardrails(built["flat"]) == (None, None)
    orgs.delete_policy(management, policy.id)


def test_aws_managed_policies_cannot_be_changed(built, management):
    with pytest.raises(errors.InvalidInputException) as exc:
        orgs.update_policy(management, "p-FullAWSAccess", name="Mine")
    assert exc.value.reason == "IMMUTABLE_POLICY"
    with pytest.raises(errors.InvalidInputException):
        orgs.delete_policy(management, "p-FullAWSAccess")


def test_an_rcp_without_principal_is_malformed(built, management):
    orgs.enable_policy_type(management, built["root"], RCP)
    with pytest.raises(errors.MalformedPolicyDocumentException):
        orgs.create_policy(management, content=DENY_S3, description="", name="NoPrincipal",
                           type=RCP)


def test_unsupported_policy_types_are_refused(built, management):
    with pytest.raises(errors.PolicyTypeNotAvailableForOrganizationException):
        orgs.enable_policy_type(management, built["root"], "TAG_POLICY")


def test_delete_organization_only_without_members(management):
    orgs.create_organization(management)
    orgs.delete_organization(management)
    with pytest.raises(errors.AWSOrganizationsNotInUseException):
        orgs.describe_organization(management)
    again = orgs.create_organization(management)
    assert again.management_id == A


def test_ous_nest_at_most_five_levels(built, management):
    parent = built["inner"]  # level 2
    for name in ("L3", "L4", "L5"):
        parent = orgs.create_organizational_unit(management, parent, name).id
    with pytest.raises(errors.ConstraintViolationException) as exc:
        orgs.create_organizational_unit(management, parent, "L6")
    assert exc.value.reason == "OU_DEPTH_LIMIT_EXCEEDED"


def test_an_iam_user_needs_organizations_permissions(built):
    reader = caller_for(make_user("reader", policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "organizations:List*", "Resource": "*"}]})))
    assert len(orgs.list_accounts(reader)) == 3
    with pytest.raises(errors.AccessDeniedException):
        orgs.create_organizational_unit(reader, built["root"], "Nope")
    denied = AuditEvent.objects.filter(action="organizations:CreateOrganizationalUnit",
                                       outcome="denied")
    assert denied.count() == 1


def test_a_member_accounts_admin_is_refused_and_audited(built):
    with in_account(built["flat"]):
        admin = caller_for(make_user("admin", policy=ADMIN_POLICY))
        with pytest.raises(errors.AccessDeniedException):
            orgs.list_accounts(admin)
        assert AuditEvent.objects.filter(action="organizations:ListAccounts",
                                         outcome="denied").count() == 1
        assert orgs.describe_organization(admin).id == built["org"].id


def test_changes_are_audited_in_the_management_account(built, management):
    actions = set(AuditEvent.objects.filter(action__startswith="organizations:")
                  .values_list("action", flat=True))
    assert {"organizations:CreateOrganization", "organizations:CreateOrganizationalUnit",
            "organizations:CreateAccount", "organizations:MoveAccount"} <= actions
    iam.list_users(management)  # the management account's own IAM is untouched


def test_removed_and_departed_accounts_become_standalone(built, management):
    orgs.enable_policy_type(management, built["root"], SCP)
    orgs.remove_account_from_organization(management, built["deep"])
    assert guardrails.org_context(built["deep"]) == {}
    assert orgs.list_targets_for_policy(management, "p-FullAWSAccess")[-1].id != built["deep"]
    with in_account(built["flat"]):
        member_admin = caller_for(make_user("admin", policy=ADMIN_POLICY))
        orgs.leave_organization(member_admin)
        assert Role.objects.filter(name="OrganizationAccountAccessRole").exists()
    assert [m.account_id for m in orgs.list_accounts(management)] == [A]
    with pytest.raises(errors.MasterCannotLeaveOrganizationException):
        orgs.leave_organization(management)
    orgs.delete_organizational_unit(management, built["inner"])
    orgs.delete_organizational_unit(management, built["prod"])
    orgs.delete_organization(management)
    assert guardrails.org_context(A) == {}
