"""Delete with dependencies: what blocks deleting a user, group, role or policy, and removing it
all then deleting in one transaction, each removal authorized and audited as its own operation."""

import pyotp
import pytest
import time_machine
from key_material import certificate, ssh_public
from personas import ADMIN_POLICY, allow, caller_for, deny, make_user, policy_json

from iamconsole.iam import errors
from iamconsole.iam import services as iam
from iamconsole.iam.models import (
    AccessKey,
    AuditEvent,
    Group,
    ManagedPolicy,
    Role,
    User,
    VirtualMFADevice,
)

pytestmark = pytest.mark.django_db
T0 = 1_800_000_000
TRUST = policy_json({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                     "Action": "sts:AssumeRole"})


def _loaded_user(system, name="alice"):
    """A user holding one of every kind of thing that blocks DeleteUser."""
    make_user(name, policy=policy_json(allow("s3:GetObject")))
    iam.create_access_key(system, name)
    iam.upload_ssh_public_key(system, name, ssh_public())
    iam.upload_signing_certificate(system, name, certificate())
    iam.create_service_specific_credential(system, name, "codecommit.amazonaws.com")
    policy = iam.create_policy(system, "ReadAll", policy_json(allow("s3:Get*")))
    iam.attach_user_policy(system, name, policy.arn)
    iam.create_group(system, "devs")
    iam.add_user_to_group(system, "devs", name)
    new = iam.create_virtual_mfa_device(system, f"{name}-phone")
    totp = pyotp.TOTP(new.base32_seed)
    with time_machine.travel(T0, tick=False):
        iam.enable_mfa_device(system, name, new.device.serial_number, totp.at(T0 - 30),
                              totp.at(T0))
    return User.objects.get(name=name)


def test_user_dependencies_name_every_blocker_in_removal_order(system):
    user = _loaded_user(system)
    labels = [d.label for d in iam.deletion_dependencies("user", user)]
    assert labels[0] == "login profile (console password)"
    assert [label.split(" ")[0] for label in labels[1:]] == [
        "access", "signing", "SSH", "service-specific", "MFA", "inline", "attached",
        "membership"]
    with pytest.raises(errors.DeleteConflict):
        iam.delete_user(system, "alice")


def test_delete_user_with_dependencies_removes_all_and_audits_each(system):
    _loaded_user(system)
    removed = iam.delete_with_dependencies(system, "user", "alice")
    assert len(removed) == 9
    assert not User.objects.filter(name="alice").exists()
    assert not AccessKey.objects.exists() and not VirtualMFADevice.objects.exists()
    assert Group.objects.get(name="devs").members.count() == 0
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    tail = actions[-11:]
    assert tail == ["iam:DeleteLoginProfile", "iam:DeleteAccessKey",
                    "iam:DeleteSigningCertificate", "iam:DeleteSSHPublicKey",
                    "iam:DeleteServiceSpecificCredential", "iam:DeactivateMFADevice",
                    "iam:DeleteVirtualMFADevice", "iam:DeleteUserPolicy", "iam:DetachUserPolicy",
                    "iam:RemoveUserFromGroup", "iam:DeleteUser"]


def test_a_refused_removal_midway_leaves_everything_in_place(system):
    _loaded_user(system)
    # May do everything but detach policies: the removals before it are rolled back.
    admin = make_user("admin", policy=policy_json(allow("*"), deny("iam:DetachUserPolicy")))
    before = AuditEvent.objects.filter(outcome="success").count()
    with pytest.raises(errors.AccessDenied):
        iam.delete_with_dependencies(caller_for(admin), "user", "alice")
    user = User.objects.get(name="alice")
    assert user.has_usable_password()
    assert user.access_keys.count() == 1 and user.ssh_public_keys.count() == 1
    assert user.mfa_devices.count() == 1 and user.inline_policies.count() == 1
    assert user.iam_groups.count() == 1
    assert AuditEvent.objects.filter(outcome="success").count() == before
    denied = AuditEvent.objects.exclude(outcome="success").order_by("-pk").first()
    assert denied.action == "iam:DetachUserPolicy"


def test_a_caller_who_may_not_delete_the_entity_changes_nothing(system):
    _loaded_user(system)
    admin = make_user("admin", policy=policy_json(allow("*"), deny("iam:DeleteUser")))
    with pytest.raises(errors.AccessDenied):
        iam.delete_with_dependencies(caller_for(admin), "user", "alice")
    assert User.objects.get(name="alice").access_keys.count() == 1


def test_delete_group_with_members_and_policies(system):
    make_user("bob", password=None)
    iam.create_group(system, "ops")
    iam.add_user_to_group(system, "ops", "bob")
    iam.put_group_policy(system, "ops", "inline", ADMIN_POLICY)
    group = Group.objects.get(name="ops")
    assert [d.label for d in iam.deletion_dependencies("group", group)] == [
        "member bob", "inline policy inline"]
    iam.delete_with_dependencies(system, "group", "ops")
    assert not Group.objects.exists() and User.objects.filter(name="bob").exists()


def test_delete_role_with_instance_profile_and_attachment(system):
    iam.create_role(system, "web", TRUST)
    iam.create_instance_profile(system, "web-profile")
    iam.add_role_to_instance_profile(system, "web-profile", "web")
    policy = iam.create_policy(system, "P", ADMIN_POLICY)
    iam.attach_role_policy(system, "web", policy.arn)
    role = Role.objects.get(name="web")
    assert [d.label for d in iam.deletion_dependencies("role", role)] == [
        "instance profile web-profile", f"attached policy {policy.arn}"]
    iam.delete_with_dependencies(system, "role", "web")
    assert not Role.objects.exists()
    assert ManagedPolicy.objects.filter(pk=policy.pk).exists()


def test_delete_policy_with_attachments_boundaries_and_versions(system):
    policy = iam.create_policy(system, "P", ADMIN_POLICY)
    iam.create_policy_version(system, policy.arn, ADMIN_POLICY, set_as_default=True)
    make_user("carol", password=None)
    iam.attach_user_policy(system, "carol", policy.arn)
    iam.put_user_permissions_boundary(system, "carol", policy.arn)
    iam.create_group(system, "g")
    iam.attach_group_policy(system, "g", policy.arn)
    labels = [d.label for d in iam.deletion_dependencies("policy", policy)]
    assert labels == ["attachment to user carol", "attachment to group g",
                      "permissions boundary of user carol", "policy version v1"]
    iam.delete_with_dependencies(system, "policy", policy.arn)
    assert not ManagedPolicy.objects.filter(pk=policy.pk).exists()
    assert User.objects.get(name="carol").permissions_boundary is None


def test_nothing_to_remove_is_a_plain_delete(system):
    iam.create_group(system, "empty")
    assert iam.delete_with_dependencies(system, "group", "empty") == []
    assert not Group.objects.exists()


def test_missing_entity_is_no_such_entity(system):
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_with_dependencies(system, "user", "nobody")


def test_create_user_flow_refused_midway_creates_nothing(system):
    """The guided create-user flow is one transaction too: a refused attachment after the
    group membership leaves no user, no membership, no login profile."""
    iam.create_group(system, "devs")
    policy = iam.create_policy(system, "P", ADMIN_POLICY)
    maker = make_user("maker", policy=policy_json(allow("*"), deny("iam:AttachUserPolicy")))
    with pytest.raises(errors.AccessDenied):
        iam.create_user_with_access(caller_for(maker), "erin", password="Correct-Horse-9!",
                                    groups=["devs"], policy_arns=[policy.arn])
    assert not User.objects.filter(name="erin").exists()
    assert Group.objects.get(name="devs").members.count() == 0
