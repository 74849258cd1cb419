"""The console's read-only organization page: the management account sees its tree (OUs,
accounts, attached SCPs); a member account and an account in no organization are told why
they see none; a user without organizations permissions is refused."""

import json

import pytest
from accounts_fixtures import in_account, second_account
from personas import ADMIN_POLICY, make_user

from iamconsole.iam.caller import Caller
from iamconsole.orgs import services as orgs
from tests.console.console_support import client_for

DENY_S3 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})


@pytest.fixture
def organization(db):
    system = Caller.system("test")
    org = orgs.create_organization(system)
    unit = orgs.create_organizational_unit(system, org.root.id, "Workloads")
    member = orgs.create_account(system, email="w@example.com", account_name="workload")
    orgs.move_account(system, member.account_id, org.root.id, unit.id)
    orgs.enable_policy_type(system, org.root.id, "SERVICE_CONTROL_POLICY")
    policy = orgs.create_policy(system, content=DENY_S3, description="", name="DenyS3",
                                type="SERVICE_CONTROL_POLICY")
    orgs.attach_policy(system, policy.id, unit.id)
    return {"org": org, "ou": unit.id, "member": member.account_id, "policy": policy.id}


def test_the_management_account_sees_the_tree(organization):
    client = client_for(make_user("admin", policy=ADMIN_POLICY))
    response = client.get("/organization/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (organization["org"].id, organization["ou"], "Workloads", "workload",
                 organization["member"], "DenyS3", organization["policy"], "FullAWSAccess",
                 "management account"):
        assert text in page
    assert 'href="/organization/"' in client.get("/").content.decode()


def test_a_member_account_is_told_it_is_not_the_management_account(organization):
    with in_account(organization["member"]):
        admin = make_user("admin", policy=ADMIN_POLICY)
    response = client_for(admin).get("/organization/")
    assert response.status_code == 403
    assert "Only the management account" in response.content.decode()


def test_an_account_in_no_organization_is_told_so(db):
    second_account()
    with in_account("222233334444"):
        admin = make_user("admin", policy=ADMIN_POLICY)
    response = client_for(admin).get("/organization/")
    assert response.status_code == 200
    assert "not a member of an organization" in response.content.decode()


def test_a_user_without_organizations_permissions_is_refused(organization):
    reader = make_user("reader", policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}]}))
    client = client_for(reader)
    assert client.get("/organization/").status_code == 403
    assert 'href="/organization/"' not in client.get("/").content.decode()
