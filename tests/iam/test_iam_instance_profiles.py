"""Instance profiles and service-linked roles in the domain layer: AWS's rules, limits, errors
and the audit log."""

import json

import pytest
from personas import allow, caller_for, make_user, policy_json

from iamconsole.iam import errors, kinds
from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, InstanceProfile

pytestmark = pytest.mark.django_db
ACCOUNT = "123456789012"
TRUST = policy_json({"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Principal": {"Service": "ec2.amazonaws.com"}})


def test_create_instance_profile_is_a_registry_kind(system):
    profile = iam.create_instance_profile(system, "web", path="/app/", tags={"env": "prod"})
    assert profile.arn == f"arn:aws:iam::{ACCOUNT}:instance-profile/app/web"
    assert profile.instance_profile_id.startswith("AIPA") and len(profile.instance_profile_id) == 21
    assert kinds.of(profile) is kinds.INSTANCE_PROFILE
    assert kinds.kind_of_arn(profile.arn) is kinds.INSTANCE_PROFILE
    assert kinds.INSTANCE_PROFILE.find("WEB") == profile
    assert AuditEvent.objects.filter(action="iam:CreateInstanceProfile",
                                     resource_name="web").exists()


def test_instance_profile_names(system):
    iam.create_instance_profile(system, "Web")
    with pytest.raises(errors.EntityAlreadyExists):
        iam.create_instance_profile(system, "web")
    iam.create_instance_profile(system, "x" * 128)
    with pytest.raises(errors.ValidationError):
        iam.create_instance_profile(system, "x" * 129)
    with pytest.raises(errors.ValidationError):
        iam.create_instance_profile(system, "bad name")


def test_one_role_and_deletion_conflicts(system):
    iam.create_role(system, "a", TRUST)
    iam.create_role(system, "b", TRUST)
    iam.create_instance_profile(system, "p")
    iam.add_role_to_instance_profile(system, "p", "a")
    with pytest.raises(errors.LimitExceeded) as limit:
        iam.add_role_to_instance_profile(system, "p", "b")
    assert limit.value.message == "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"
    with pytest.raises(errors.DeleteConflict) as in_profile:
        iam.delete_role(system, "a")
    assert in_profile.value.message == \
        "Cannot delete entity, must remove roles from instance profile first."
    with pytest.raises(errors.DeleteConflict) as has_role:
        iam.delete_instance_profile(system, "p")
    assert has_role.value.message == in_profile.value.message
    assert [p.name for p in iam.list_instance_profiles_for_role(system, "a")] == ["p"]
    iam.remove_role_from_instance_profile(system, "p", "a")
    with pytest.raises(errors.NoSuchEntity):
        iam.remove_role_from_instance_profile(system, "p", "a")
    iam.delete_instance_profile(system, "p")
    iam.delete_role(system, "a")
    assert not InstanceProfile.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile",
            "iam:DeleteInstanceProfile"} <= actions


def test_missing_instance_profile_is_authorized_first(system):
    user = make_user("ops", policy=policy_json(allow(
        "iam:GetInstanceProfile", f"arn:aws:iam::{ACCOUNT}:instance-profile/ops-*")))
    ops = caller_for(user)
    with pytest.raises(errors.AccessDenied):
        iam.get_instance_profile(ops, "missing")
    with pytest.raises(errors.NoSuchEntity):
        iam.get_instance_profile(ops, "ops-missing")


def test_list_instance_profiles_by_path(system):
    iam.create_instance_profile(system, "a", path="/x/")
    iam.create_instance_profile(system, "b", path="/y/")
    assert [p.name for p in iam.list_instance_profiles(system, path_prefix="/x/")] == ["a"]
    assert [p.name for p in iam.list_instance_profiles(system)] == ["a", "b"]


def test_instance_profile_tags(system):
    iam.create_instance_profile(system, "p")
    iam.tag_instance_profile(system, "p", [{"Key": "a", "Value": "1"}])
    iam.untag_instance_profile(system, "p", ["missing"])
    assert iam.list_instance_profile_tags(system, "p") == {"a": "1"}


def test_service_linked_role_names():
    assert iam.service_role_name("elasticbeanstalk.amazonaws.com") == \
        "AWSServiceRoleForElasticBeanstalk"
    assert iam.service_role_name("spot.amazonaws.com") == "AWSServiceRoleForEC2Spot"
    assert iam.service_role_name("my-service.amazonaws.com", "x") == \
        "AWSServiceRoleForMyService_x"
    for bad in ("", "example.com", "UPPER.amazonaws.com"):
        with pytest.raises(errors.InvalidInput):
            iam.service_role_name(bad)


def test_service_linked_role_only_description_changes(system):
    role = iam.create_service_linked_role(system, "ecs.amazonaws.com", description="ECS")
    assert role.is_service_linked and role.path == "/aws-service-role/ecs.amazonaws.com/"
    assert json.loads(role.assume_role_policy_document)["Statement"][0]["Principal"] == {
        "Service": "ecs.amazonaws.com"}
    name = role.name
    policy = iam.create_policy(system, "P", policy_json(allow("s3:GetObject")))
    for refused in (
        lambda: iam.delete_role(system, name),
        lambda: iam.update_assume_role_policy(system, name, TRUST),
        lambda: iam.put_role_policy(system, name, "p", policy_json(allow("s3:GetObject"))),
        lambda: iam.delete_inline_policy(system, "role", name, "p"),
        lambda: iam.attach_role_policy(system, name, policy.arn),
        lambda: iam.detach_role_policy(system, name, policy.arn),
        lambda: iam.put_role_permissions_boundary(system, name, policy.arn),
        lambda: iam.update_role(system, name, max_session_duration=7200),
    ):
        with pytest.raises(errors.UnmodifiableEntity) as exc:
            refused()
        assert exc.value.message == (f"Cannot perform the operation on the protected role "
                                     f"'{name}' - this role is only modifiable by AWS")
    assert iam.update_role(system, name, description="new").description == "new"


def test_ordinary_roles_cannot_take_the_service_role_path(system):
    with pytest.raises(errors.InvalidInput) as exc:
        iam.create_role(system, "fake", TRUST, path="/aws-service-role/ecs.amazonaws.com/")
    assert exc.value.message == ("Path prefix '/aws-service-role/' can only be used for AWS "
                                 "Service linked Roles")


def test_service_linked_role_deletion_task(system):
    iam.create_service_linked_role(system, "ecs.amazonaws.com")
    task_id = iam.delete_service_linked_role(system, "AWSServiceRoleForECS")
    task = iam.get_service_linked_role_deletion_status(system, task_id)
    assert task.status == "SUCCEEDED"
    with pytest.raises(errors.NoSuchEntity):
        iam.get_role(system, "AWSServiceRoleForECS")
    with pytest.raises(errors.InvalidInput):
        iam.get_service_linked_role_deletion_status(system, "task/nonsense")
    iam.create_role(system, "plain", TRUST)
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_service_linked_role(system, "plain")
    assert AuditEvent.objects.filter(action="iam:DeleteServiceLinkedRole").exists()


def test_service_linked_role_needs_its_action_with_the_service_name(system):
    user = make_user("ops", policy=policy_json(allow(
        "iam:CreateServiceLinkedRole", "*",
        Condition={"StringEquals": {"iam:AWSServiceName": "ecs.amazonaws.com"}})))
    ops = caller_for(user)
    assert iam.create_service_linked_role(ops, "ecs.amazonaws.com").name == \
        "AWSServiceRoleForECS"
    with pytest.raises(errors.AccessDenied):
        iam.create_service_linked_role(ops, "rds.amazonaws.com")


def test_account_summary_counts_instance_profiles(system):
    iam.create_instance_profile(system, "p")
    assert iam.get_account_summary(system)["InstanceProfiles"] == 1
