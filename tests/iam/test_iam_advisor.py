"""Access Advisor in the domain layer: what authorization records (coalesced, allowed calls
only, a role session for its role) and the reports built from it."""

from datetime import timedelta

import pytest
import time_machine
from accounts_fixtures import B, in_account, second_account, trust
from django.db import connection
from django.test.utils import CaptureQueriesContext
from personas import allow, caller_for, make_user, policy_json

from iamconsole.iam import authz, last_accessed, sts
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import AccessDenied, InvalidInput, NoSuchEntity
from iamconsole.iam.models import Group, Role, ServiceLastAccessed

pytestmark = pytest.mark.django_db
SYSTEM = Caller.system("test")
LIMITED = policy_json(allow(["iam:Get*", "iam:List*", "iam:GenerateServiceLastAccessedDetails",
                             "iam:ListPoliciesGrantingServiceAccess", "s3:GetObject"]))


@pytest.fixture(autouse=True)
def _fresh_process_memory():
    last_accessed.forget()
    yield
    last_accessed.forget()


def rows(principal_id: str) -> dict[tuple[str, str], ServiceLastAccessed]:
    return {(r.service, r.action): r
            for r in ServiceLastAccessed.objects.filter(principal_id=principal_id)}


def test_an_allowed_call_records_the_service_and_the_iam_action():
    alice = make_user("alice", policy=LIMITED, path="/eng/")
    iam.list_users(caller_for(alice, region="eu-west-1"))
    recorded = rows(alice.user_id)
    assert set(recorded) == {("iam", ""), ("iam", "ListUsers")}
    assert recorded[("iam", "")].region == "eu-west-1"
    assert recorded[("iam", "")].entity_path == "/eng/"
    assert recorded[("iam", "")].principal_type == "user"


def test_recording_coalesces_repeated_calls_within_a_minute():
    alice = make_user("alice", policy=LIMITED)
    caller = caller_for(alice)
    with time_machine.travel("2026-12-01 10:00:00Z", tick=False):
        iam.list_users(caller)
    with time_machine.travel("2026-12-01 10:00:30Z", tick=False), \
            CaptureQueriesContext(connection) as queries:
        iam.list_users(caller)
    assert not [q for q in queries if "servicelastaccessed" in q["sql"].lower()]
    assert rows(alice.user_id)[("iam", "")].last_authenticated.second == 0
    with time_machine.travel("2026-12-01 10:02:00Z", tick=False):
        iam.list_users(caller)
    assert rows(alice.user_id)[("iam", "")].last_authenticated.minute == 2


def test_another_process_writes_at_most_once_a_minute_too():
    alice = make_user("alice", policy=LIMITED)
    with time_machine.travel("2026-12-01 10:00:00Z", tick=False):
        iam.list_users(caller_for(alice))
    last_accessed.forget()  # as if another worker, with nothing in memory
    with time_machine.travel("2026-12-01 10:00:30Z", tick=False):
        iam.list_users(caller_for(alice))
    assert rows(alice.user_id)[("iam", "ListUsers")].last_authenticated.second == 0


def test_a_denied_call_records_nothing():
    bob = make_user("bob", policy=policy_json(allow("s3:GetObject")))
    with pytest.raises(AccessDenied):
        iam.list_users(caller_for(bob))
    assert rows(bob.user_id) == {}


def test_the_console_asking_whether_to_draw_a_button_records_nothing():
    alice = make_user("alice", policy=LIMITED)
    assert authz.is_allowed(caller_for(alice), "iam:ListUsers", "*")
    assert rows(alice.user_id) == {}


def test_a_role_session_records_the_role_and_assuming_it_records_the_user():
    alice = make_user("alice", policy=policy_json(allow("sts:AssumeRole")))
    role = iam.create_role(SYSTEM, "deployer", trust(alice.arn))
    iam.put_role_policy(SYSTEM, "deployer", "read", LIMITED)
    sts.assume_role(caller_for(alice), role.arn, "s1")
    session = Caller(role=Role.objects.get(pk=role.pk), auth_method="test")
    iam.list_roles(session)
    assert set(rows(role.role_id)) == {("iam", ""), ("iam", "ListRoles")}
    assert rows(role.role_id)[("iam", "")].principal_type == "role"
    assert set(rows(alice.user_id)) == {("sts", ""), ("sts", "AssumeRole")}


def test_the_root_user_is_not_tracked(root_user):
    iam.list_users(Caller(user=root_user, auth_method="test"))
    assert not ServiceLastAccessed.objects.exists()


def test_a_report_lists_every_service_the_policies_grant_used_or_not():
    alice = make_user("alice", policy=LIMITED)
    iam.list_users(caller_for(alice, region="us-west-2"))
    job_id = iam.generate_service_last_accessed_details(SYSTEM, alice.arn)
    job = iam.get_service_last_accessed_details(caller_for(alice), job_id)
    assert job.status == "COMPLETED" and job.job_type == "SERVICE_LEVEL"
    by_ns = {s["ServiceNamespace"]: s for s in job.services}
    assert set(by_ns) == {"iam", "s3"}
    assert by_ns["iam"]["LastAuthenticatedEntity"] == alice.arn
    assert by_ns["iam"]["LastAuthenticatedRegion"] == "us-west-2"
    assert by_ns["iam"]["TotalAuthenticatedEntities"] == 1
    assert "LastAuthenticated" not in by_ns["s3"]
    assert by_ns["s3"]["TotalAuthenticatedEntities"] == 0
    assert by_ns["s3"]["ServiceName"] == "Amazon S3"


def test_an_action_level_report_lists_the_granted_iam_actions():
    alice = make_user("alice", policy=LIMITED)
    iam.list_users(caller_for(alice))
    job_id = iam.generate_service_last_accessed_details(caller_for(alice), alice.arn,
                                                        "ACTION_LEVEL")
    job = iam.get_service_last_accessed_details(caller_for(alice), job_id)
    service = next(s for s in job.services if s["ServiceNamespace"] == "iam")
    actions = {a["ActionName"]: a for a in service["TrackedActionsLastAccessed"]}
    assert "CreateUser" not in actions and "GetUser" in actions
    assert actions["ListUsers"]["LastAccessedEntity"] == alice.arn
    assert "LastAccessedTime" not in actions["GetUser"]
    s3 = next(s for s in job.services if s["ServiceNamespace"] == "s3")
    assert "TrackedActionsLastAccessed" not in s3


def test_a_group_report_counts_its_members():
    alice = make_user("alice", policy=LIMITED)
    bob = make_user("bob")
    iam.create_group(SYSTEM, "readers")
    iam.put_group_policy(SYSTEM, "readers", "read", policy_json(allow("iam:List*")))
    for name in ("alice", "bob"):
        iam.add_user_to_group(SYSTEM, "readers", name)
    iam.list_users(caller_for(alice))
    group = Group.objects.get(name="readers")
    job_id = iam.generate_service_last_accessed_details(SYSTEM, group.arn)
    job, entities = iam.get_service_last_accessed_details_with_entities(SYSTEM, job_id, "iam")
    assert [s["ServiceNamespace"] for s in job.services] == ["iam"]
    assert [e["EntityInfo"]["Name"] for e in entities] == ["alice", "bob"]
    assert "LastAuthenticated" in entities[0] and "LastAuthenticated" not in entities[1]
    assert entities[1]["EntityInfo"] == {"Arn": bob.arn, "Name": "bob", "Type": "USER",
                                         "Id": bob.user_id, "Path": "/"}


def test_a_policy_report_covers_the_users_groups_members_and_roles_it_is_attached_to():
    policy = iam.create_policy(SYSTEM, "ListAll", policy_json(allow("iam:List*")))
    alice, bob = make_user("alice"), make_user("bob")
    iam.create_group(SYSTEM, "g")
    iam.add_user_to_group(SYSTEM, "g", "bob")
    iam.attach_user_policy(SYSTEM, "alice", policy.arn)
    iam.attach_group_policy(SYSTEM, "g", policy.arn)
    role = iam.create_role(SYSTEM, "r", trust(alice.arn))
    iam.attach_role_policy(SYSTEM, "r", policy.arn)
    iam.list_users(caller_for(bob))
    job_id = iam.generate_service_last_accessed_details(SYSTEM, policy.arn)
    _, entities = iam.get_service_last_accessed_details_with_entities(SYSTEM, job_id, "iam")
    assert [e["EntityInfo"]["Name"] for e in entities] == ["bob", "alice", "r"]
    assert entities[2]["EntityInfo"]["Type"] == "ROLE"
    assert entities[2]["EntityInfo"]["Id"] == role.role_id


def test_list_policies_granting_service_access_names_inline_and_managed_policies():
    policy = iam.create_policy(SYSTEM, "S3Read", policy_json(allow("s3:Get*")))
    alice = make_user("alice", policy=LIMITED)
    iam.attach_user_policy(SYSTEM, "alice", policy.arn)
    iam.create_group(SYSTEM, "g")
    iam.put_group_policy(SYSTEM, "g", "gs3", policy_json(allow("s3:List*")))
    iam.add_user_to_group(SYSTEM, "g", "alice")
    entries = iam.list_policies_granting_service_access(caller_for(alice), alice.arn,
                                                        ["s3", "ec2"])
    assert entries[0]["ServiceNamespace"] == "s3"
    assert entries[0]["Policies"] == [
        {"PolicyName": "inline", "PolicyType": "INLINE", "EntityType": "USER",
         "EntityName": "alice"},
        {"PolicyName": "S3Read", "PolicyType": "MANAGED", "PolicyArn": policy.arn},
        {"PolicyName": "gs3", "PolicyType": "INLINE", "EntityType": "GROUP", "EntityName": "g"},
    ]
    assert entries[1] == {"ServiceNamespace": "ec2", "Policies": []}


def test_generating_a_report_is_authorized_on_the_entity():
    alice = make_user("alice", policy=policy_json(allow("iam:List*")))
    make_user("bob")
    with pytest.raises(AccessDenied):
        iam.generate_service_last_accessed_details(
            caller_for(alice), "arn:aws:iam::123456789012:user/bob")
    with pytest.raises(AccessDenied):  # a missing one too: no existence oracle
        iam.generate_service_last_accessed_details(
            caller_for(alice), "arn:aws:iam::123456789012:user/nobody")


def test_a_missing_entity_or_job_is_no_such_entity_and_a_bad_arn_invalid_input():
    with pytest.raises(NoSuchEntity):
        iam.generate_service_last_accessed_details(SYSTEM, "arn:aws:iam::123456789012:role/x")
    with pytest.raises(NoSuchEntity):
        iam.get_service_last_accessed_details(SYSTEM, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(InvalidInput):
        iam.generate_service_last_accessed_details(SYSTEM, "arn:aws:s3:::bucket-name")


def test_a_job_is_readable_only_in_its_account():
    alice = make_user("alice", policy=LIMITED)
    job_id = iam.generate_service_last_accessed_details(SYSTEM, alice.arn)
    second_account()
    with in_account(B), pytest.raises(NoSuchEntity):
        iam.get_service_last_accessed_details(SYSTEM, job_id)


def test_a_report_keeps_the_figures_of_when_it_was_generated():
    alice = make_user("alice", policy=LIMITED)
    job_id = iam.generate_service_last_accessed_details(SYSTEM, alice.arn)
    with time_machine.travel(timedelta(minutes=5)):
        iam.list_users(caller_for(alice))
    job = iam.get_service_last_accessed_details(SYSTEM, job_id)
    assert all("LastAuthenticated" not in s for s in job.services)
