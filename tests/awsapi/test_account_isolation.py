"""Each door refuses another account's entities, by name, by id and by ARN: a caller of
account A who may do everything in A gets 404/NoSuchEntity (or AccessDenied) for B's, exactly as
for names that exist nowhere, and nothing of B changes."""

import pytest
from accounts_fixtures import B, in_account, keys_of, second_account
from awsapi_helpers import error
from botocore.exceptions import ClientError
from console.console_support import client_for
from personas import ADMIN_POLICY, make_user

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AccessKey, AuditEvent, ManagedPolicy, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_world(db):
    """Account B: user bob (key, inline policy), group ops, role app, policy BPol, MFA device;
    account A: admin, allowed everything in A."""
    second_account()
    with in_account(B):
        system = Caller.system("test")
        make_user("bob", policy=ADMIN_POLICY)
        iam.create_group(system, "ops")
        iam.create_role(system, "app", '{"Version":"2012-10-17","Statement":[{"Effect":'
                        '"Allow","Principal":{"Service":"ec2.amazonaws.com"},'
                        '"Action":"sts:AssumeRole"}]}')
        policy = iam.create_policy(system, "BPol", ADMIN_POLICY)
        key = iam.create_access_key(system, "bob").access_key
        iam.create_virtual_mfa_device(system, "bob-phone")
        event = AuditEvent.objects.latest("id")
    admin = make_user("admin", policy=ADMIN_POLICY)
    return {"admin": admin, "policy_id": policy.policy_id, "policy_arn": policy.arn,
            "key_id": key.access_key_id, "event_id": event.pk}


@pytest.mark.parametrize("url", [
    "/api/v1/users/bob/", "/api/v1/groups/ops/", "/api/v1/roles/app/",
    "/api/v1/users/bob/inline-policies/", "/api/v1/users/bob/access-keys/",
    "/api/v1/policies/{policy_id}/", "/api/v1/policies/{policy_id}/versions/",
    "/api/v1/audit-events/{event_id}/",
])
def test_rest_answers_not_found_for_another_accounts_entity(b_world, url):
    client = client_for(b_world["admin"])
    response = client.get(url.format(**b_world))
    assert response.status_code == 404, (url, response.status_code, response.content[:200])


@pytest.mark.parametrize("url", ["/users/bob/", "/groups/ops/", "/roles/app/",
                                 "/policies/local/BPol/"])
def test_console_answers_not_found_for_another_accounts_entity(b_world, url):
    assert client_for(b_world["admin"]).get(url).status_code == 404


def test_rest_changes_nothing_in_another_account(b_world):
    client = client_for(b_world["admin"])
    assert client.delete("/api/v1/users/bob/").status_code == 404
    assert client.delete(f"/api/v1/policies/{b_world['policy_id']}/").status_code == 404
    assert User.everywhere.filter(account_id=B, name="bob").exists()
    assert ManagedPolicy.everywhere.filter(account_id=B, name="BPol").exists()


def test_rest_lists_hold_nothing_of_another_account(b_world):
    client = client_for(b_world["admin"])
    users = [u["user_name"] for u in client.get("/api/v1/users/").json()["results"]]
    policies = client.get("/api/v1/policies/?scope=Local").json()["results"]
    events = client.get("/api/v1/audit-events/").json()["results"]
    assert "bob" not in users
    assert all(p["policy_name"] != "BPol" for p in policies)
    assert all(e["id"] != b_world["event_id"] for e in events)


@pytest.mark.django_db(transaction=True)
def test_query_api_refuses_another_accounts_entities_by_name_id_and_arn(b_world, aws_client):
    admin_iam = aws_client("iam", *keys_of("admin"))
    refusals = [
        lambda: admin_iam.get_user(UserName="bob"),
        lambda: admin_iam.get_group(GroupName="ops"),
        lambda: admin_iam.get_role(RoleName="app"),
        lambda: admin_iam.list_access_keys(UserName="bob"),
        lambda: admin_iam.get_access_key_last_used(AccessKeyId=b_world["key_id"]),
        lambda: admin_iam.update_access_key(UserName="bob", AccessKeyId=b_world["key_id"],
                                            Status="Inactive"),
        lambda: admin_iam.get_policy(PolicyArn=b_world["policy_arn"]),
        lambda: admin_iam.delete_policy(PolicyArn=b_world["policy_arn"]),
        lambda: admin_iam.attach_role_policy(RoleName="app", PolicyArn=b_world["policy_arn"]),
    ]
    for call in refusals:
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc)[0] in ("NoSuchEntity", "AccessDenied"), error(exc)
    listed = admin_iam.list_virtual_mfa_devices()["VirtualMFADevices"]
    assert all("bob-phone" not in d["SerialNumber"] for d in listed)
    assert AccessKey.objects.get(access_key_id=b_world["key_id"]).status == "Active"
