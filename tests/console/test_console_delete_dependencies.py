"""Delete with dependencies in the console: the confirmation lists what blocks the deletion and,
once the name is typed, removes it all and deletes, governed by the caller's IAM policies."""

from __future__ import annotations

from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, Group, ManagedPolicy, Role, User
from tests.conftest import allow, make_user, policy_json
from tests.console.console_support import TRUST, client_for, htmx


def _user_with_things(system):
    make_user("alice", policy=policy_json(allow("s3:GetObject")))
    iam.create_access_key(system, "alice")
    iam.create_group(system, "devs")
    iam.add_user_to_group(system, "devs", "alice")


def test_confirmation_lists_what_blocks_the_deletion(world, admin, system):
    _user_with_things(system)
    page = client_for(admin).get("/users/alice/delete/").content.decode()
    assert "login profile (console password)" in page
    assert "access key AKIA" in page and "inline policy inline" in page
    assert "membership of group devs" in page
    assert 'name="confirm"' in page and "Remove 4 and delete alice" in page


def test_a_wrong_typed_name_changes_nothing(world, admin, system):
    _user_with_things(system)
    response = client_for(admin).post("/users/alice/delete/",
                                      {"remove_dependencies": "1", "confirm": "alic"})
    assert response.status_code == 400 and b"Type alice to confirm." in response.content
    assert User.objects.get(name="alice").access_keys.count() == 1


def test_typed_confirmation_removes_all_and_deletes(world, admin, system):
    _user_with_things(system)
    client = client_for(admin)
    response = client.post("/users/alice/delete/",
                           {"remove_dependencies": "1", "confirm": "alice"}, **htmx())
    assert response.status_code == 200 and response["HX-Location"]
    assert not User.objects.filter(name="alice").exists()
    assert Group.objects.filter(name="devs").exists()
    assert AuditEvent.objects.filter(action="iam:DeleteAccessKey", outcome="success").exists()
    follow = client.get("/users/").content.decode()
    assert "Deleted user alice and removed 4 dependencies." in follow


def test_plain_delete_with_dependencies_still_conflicts(world, admin, system):
    _user_with_things(system)
    assert client_for(admin).post("/users/alice/delete/").status_code == 409


def test_a_caller_denied_one_removal_is_refused_and_nothing_changes(world, system):
    _user_with_things(system)
    limited = make_user("limited", policy=policy_json(
        allow("*"), {"Effect": "Deny", "Action": "iam:RemoveUserFromGroup", "Resource": "*"}))
    response = client_for(limited).post("/users/alice/delete/",
                                        {"remove_dependencies": "1", "confirm": "alice"})
    assert response.status_code == 403
    alice = User.objects.get(name="alice")
    assert alice.access_keys.count() == 1 and alice.has_usable_password()


def test_role_and_policy_delete_with_dependencies(world, admin, system):
    iam.create_role(system, "web", TRUST)
    iam.create_instance_profile(system, "web-profile")
    iam.add_role_to_instance_profile(system, "web-profile", "web")
    policy = iam.create_policy(system, "P", policy_json(allow("s3:*")))
    iam.attach_role_policy(system, "web", policy.arn)
    client = client_for(admin)
    page = client.get("/roles/web/delete/").content.decode()
    assert "instance profile web-profile" in page
    assert client.post("/roles/web/delete/", {"remove_dependencies": "1",
                                              "confirm": "web"}).status_code == 302
    assert not Role.objects.filter(name="web").exists()
    iam.create_policy_version(system, policy.arn, policy_json(allow("s3:Get*")),
                              set_as_default=True)
    assert "policy version v1" in client.get("/policies/local/P/delete/").content.decode()
    assert client.post("/policies/local/P/delete/", {"remove_dependencies": "1",
                                                     "confirm": "P"}).status_code == 302
    assert not ManagedPolicy.objects.filter(name="P").exists()


def test_kinds_without_dependencies_keep_the_plain_confirmation(world, admin, system):
    iam.create_instance_profile(system, "lonely")
    page = client_for(admin).get("/instance-profiles/lonely/delete/").content.decode()
    assert 'name="confirm"' not in page and "Delete lonely" in page
