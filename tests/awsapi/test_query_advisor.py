"""Access Advisor through boto3 against the live server: calls made with boto3 show up in the
reports (with the SigV4 region), for users, groups, roles and managed policies."""

from __future__ import annotations

import pytest
from accounts_fixtures import trust
from awsapi_helpers import ACCOUNT, create_keys, error, session_client
from personas import allow, make_user, policy_json

from iamconsole.iam import last_accessed
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller

SYSTEM = Caller.system("test")
WORKER = policy_json(allow(["iam:Get*", "iam:List*", "s3:GetObject", "sts:AssumeRole"]))


@pytest.fixture(autouse=True)
def _fresh_process_memory():
    last_accessed.forget()
    yield
    last_accessed.forget()


@pytest.fixture
def worker_iam(aws_client, db):
    make_user("worker", policy=WORKER, password=None)
    return aws_client("iam", *create_keys("worker"), region="eu-central-1")


def report(client, arn: str, **kwargs) -> dict:
    job_id = client.generate_service_last_accessed_details(Arn=arn, **kwargs)["JobId"]
    assert len(job_id) == 36
    return client.get_service_last_accessed_details(JobId=job_id)


def test_a_report_lists_the_granted_services_and_the_one_called(admin_iam, worker_iam):
    worker_iam.list_users()
    worker_arn = f"arn:aws:iam::{ACCOUNT}:user/worker"
    details = report(admin_iam, worker_arn)
    assert details["JobStatus"] == "COMPLETED" and details["JobType"] == "SERVICE_LEVEL"
    assert details["JobCompletionDate"] >= details["JobCreationDate"]
    services = {s["ServiceNamespace"]: s for s in details["ServicesLastAccessed"]}
    assert set(services) == {"iam", "s3", "sts"}
    assert services["iam"]["LastAuthenticatedEntity"] == worker_arn
    assert services["iam"]["LastAuthenticatedRegion"] == "eu-central-1"
    assert services["iam"]["TotalAuthenticatedEntities"] == 1
    assert "LastAuthenticated" in services["iam"]
    assert "LastAuthenticated" not in services["s3"]
    assert services["sts"]["ServiceName"] == "AWS Security Token Service"


def test_an_action_level_report_tracks_iam_actions(admin_iam, worker_iam):
    worker_iam.get_user()
    details = report(admin_iam, f"arn:aws:iam::{ACCOUNT}:user/worker", Granularity="ACTION_LEVEL")
    assert details["JobType"] == "ACTION_LEVEL"
    iam_service = next(s for s in details["ServicesLastAccessed"]
                       if s["ServiceNamespace"] == "iam")
    actions = {a["ActionName"]: a for a in iam_service["TrackedActionsLastAccessed"]}
    assert actions["GetUser"]["LastAccessedRegion"] == "eu-central-1"
    assert "LastAccessedTime" in actions["GetUser"]
    assert actions["ListUsers"] == {"ActionName": "ListUsers"}
    assert "DeleteUser" not in actions


def test_a_role_session_counts_for_the_role(aws_client, admin_iam, db):
    make_user("worker", policy=WORKER, password=None)
    worker = aws_client("sts", *create_keys("worker"))
    iam.create_role(SYSTEM, "reader", trust(f"arn:aws:iam::{ACCOUNT}:user/worker"))
    iam.put_role_policy(SYSTEM, "reader", "read", policy_json(allow("iam:List*")))
    credentials = worker.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/reader",
                                     RoleSessionName="s1")["Credentials"]
    session_client(aws_client, "iam", credentials, region="ap-south-1").list_roles()
    details = report(admin_iam, f"arn:aws:iam::{ACCOUNT}:role/reader")
    services = {s["ServiceNamespace"]: s for s in details["ServicesLastAccessed"]}
    assert services["iam"]["LastAuthenticatedEntity"] == f"arn:aws:iam::{ACCOUNT}:role/reader"
    assert services["iam"]["LastAuthenticatedRegion"] == "ap-south-1"
    user = report(admin_iam, f"arn:aws:iam::{ACCOUNT}:user/worker")["ServicesLastAccessed"]
    assert "LastAuthenticated" in next(s for s in user if s["ServiceNamespace"] == "sts")


def test_with_entities_for_a_group_and_a_policy(admin_iam, worker_iam):
    admin_iam.create_group(GroupName="workers")
    admin_iam.add_user_to_group(GroupName="workers", UserName="worker")
    admin_iam.create_user(UserName="idle")
    admin_iam.add_user_to_group(GroupName="workers", UserName="idle")
    policy_arn = admin_iam.create_policy(
        PolicyName="ListAll", PolicyDocument=policy_json(allow("iam:List*")))["Policy"]["Arn"]
    admin_iam.attach_group_policy(GroupName="workers", PolicyArn=policy_arn)
    worker_iam.list_groups()
    for arn in (f"arn:aws:iam::{ACCOUNT}:group/workers", policy_arn):
        job_id = admin_iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
        details = admin_iam.get_service_last_accessed_details_with_entities(
            JobId=job_id, ServiceNamespace="iam")
        assert details["JobStatus"] == "COMPLETED"
        entities = details["EntityDetailsList"]
        assert [e["EntityInfo"]["Name"] for e in entities] == ["worker", "idle"]
        assert entities[0]["EntityInfo"]["Type"] == "USER"
        assert entities[0]["EntityInfo"]["Id"].startswith("AIDA")
        assert "LastAuthenticated" in entities[0] and "LastAuthenticated" not in entities[1]


def test_get_pages_with_marker_and_max_items(admin_iam):
    job_id = admin_iam.generate_service_last_accessed_details(
        Arn=f"arn:aws:iam::{ACCOUNT}:user/admin")["JobId"]
    first = admin_iam.get_service_last_accessed_details(JobId=job_id, MaxItems=2)
    assert first["IsTruncated"] and len(first["ServicesLastAccessed"]) == 2
    second = admin_iam.get_service_last_accessed_details(JobId=job_id, MaxItems=2,
                                                         Marker=first["Marker"])
    assert second["ServicesLastAccessed"][0] not in first["ServicesLastAccessed"]
    everything = admin_iam.get_service_last_accessed_details(JobId=job_id, MaxItems=1000)
    assert len(everything["ServicesLastAccessed"]) > 300  # "*": every service of the catalog


def test_list_policies_granting_service_access(admin_iam, worker_iam):
    answer = admin_iam.list_policies_granting_service_access(
        Arn=f"arn:aws:iam::{ACCOUNT}:user/worker", ServiceNamespaces=["s3", "ec2"])
    entries = answer["PoliciesGrantingServiceAccess"]
    assert entries[0] == {"ServiceNamespace": "s3", "Policies": [
        {"PolicyName": "inline", "PolicyType": "INLINE", "EntityType": "USER",
         "EntityName": "worker"}]}
    assert entries[1] == {"ServiceNamespace": "ec2", "Policies": []}
    assert answer["IsTruncated"] is False


def test_errors(admin_iam, worker_iam):
    with pytest.raises(admin_iam.exceptions.NoSuchEntityException) as missing:
        admin_iam.get_service_last_accessed_details(JobId="00000000-0000-0000-0000-000000000000")
    assert error(missing)[:2] == ("NoSuchEntity", 404)
    with pytest.raises(admin_iam.exceptions.NoSuchEntityException):
        admin_iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:role/none")
    with pytest.raises(admin_iam.exceptions.InvalidInputException):
        admin_iam.generate_service_last_accessed_details(Arn="arn:aws:s3:::some-bucket-name")
    with pytest.raises(admin_iam.exceptions.InvalidInputException):
        admin_iam.list_policies_granting_service_access(
            Arn="arn:aws:iam::aws:policy/ReadOnlyAccess", ServiceNamespaces=["iam"])
    with pytest.raises(worker_iam.exceptions.ClientError) as denied:
        worker_iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/admin")
    assert error(denied)[:2] == ("AccessDenied", 403)
