"""Users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, tags, boundaries — AWS rules,
limits and error codes, against the real database."""

import pytest
from personas import ADMIN_POLICY, allow, caller_for, make_user, policy_json

from iamconsole.iam import errors
from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, User

pytestmark = pytest.mark.django_db
ACCOUNT = "123456789012"


def test_create_user_derives_aws_identifiers(system):
    user = iam.create_user(system, "alice", path="/eng/")
    assert user.arn == f"arn:aws:iam::{ACCOUNT}:user/eng/alice"
    assert user.user_id.startswith("AIDA") and len(user.user_id) == 21
    assert not user.has_login_profile


@pytest.mark.parametrize(
    "name",
    ["", "a" * 65, "has space", "slash/name", "tab\tname", "é"],
    ids=["empty", "65-chars", "space", "slash", "tab", "non-ascii"],
)
def test_create_user_rejects_names_outside_aws_pattern(system, name):
    with pytest.raises(errors.ValidationError) as exc:
        iam.create_user(system, name)
    assert exc.value.field == "user_name"
    assert not User.objects.exists()


@pytest.mark.parametrize("name", ["a", "a" * 64, "first.last@example.com", "x+y=z,w-_"])
def test_create_user_accepts_names_in_aws_pattern(system, name):
    assert iam.create_user(system, name).name == name


@pytest.mark.parametrize("path", ["eng", "/eng", "eng/", "//", "/a//b/"])
def test_create_user_rejects_bad_paths(system, path):
    with pytest.raises(errors.ValidationError):
        iam.create_user(system, "bob", path=path)


def test_user_names_are_unique_ignoring_case(system):
    iam.create_user(system, "Alice")
    with pytest.raises(errors.EntityAlreadyExists) as exc:
        iam.create_user(system, "alice")
    assert exc.value.status == 409 and exc.value.code == "EntityAlreadyExists"
    assert User.objects.count() == 1


def test_get_user_is_case_insensitive_and_unknown_is_no_such_entity(system):
    iam.create_user(system, "Alice")
    assert iam.get_user(system, "ALICE").name == "Alice"
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.get_user(system, "nobody")
    assert exc.value.status == 404


def test_get_user_without_name_is_the_caller(admin_caller, admin):
    assert iam.get_user(admin_caller).pk == admin.pk


def test_list_users_filters_by_path_prefix_and_hides_root(system, root_user):
    iam.create_user(system, "a", path="/eng/")
    iam.create_user(system, "b", path="/eng/web/")
    iam.create_user(system, "c", path="/ops/")
    assert [u.name for u in iam.list_users(system)] == ["a", "b", "c"]
    assert [u.name for u in iam.list_users(system, path_prefix="/eng/")] == ["a", "b"]


def test_update_user_renames_and_moves(system):
    iam.create_user(system, "alice")
    user = iam.update_user(system, "alice", new_user_name="alice2", new_path="/x/")
    assert user.arn.endswith(":user/x/alice2")
    with pytest.raises(errors.NoSuchEntity):
        iam.get_user(system, "alice")


def test_update_user_refuses_a_taken_name(system):
    iam.create_user(system, "alice")
    iam.create_user(system, "bob")
    with pytest.raises(errors.EntityAlreadyExists):
        iam.update_user(system, "alice", new_user_name="BOB")


def test_update_user_detects_a_stale_edit(system):
    user = iam.create_user(system, "alice")
    read_revision = user.revision
    iam.update_user(system, "alice", new_path="/a/", revision=read_revision)
    with pytest.raises(errors.ConcurrentModification) as exc:
        iam.update_user(system, "alice", new_path="/b/", revision=read_revision)
    assert exc.value.status == 409
    assert User.objects.get(name="alice").path == "/a/"


@pytest.mark.parametrize(
    "setup, blocker",
    [
        (lambda s: iam.create_login_profile(s, "alice", "Correct-Horse-9!"), "login profile"),
        (lambda s: iam.create_access_key(s, "alice"), "access keys"),
        (lambda s: iam.put_user_policy(s, "alice", "p", ADMIN_POLICY), "inline policies"),
        (lambda s: iam.attach_user_policy(
            s, "alice", iam.create_policy(s, "P", ADMIN_POLICY).arn), "attached policies"),
        (lambda s: iam.add_user_to_group(s, iam.create_group(s, "g").name, "alice"),
         "group memberships"),
    ],
    ids=["login-profile", "access-key", "inline", "attached", "group"],
)
def test_delete_user_with_dependents_is_a_delete_conflict(system, setup, blocker):
    iam.create_user(system, "alice")
    setup(system)
    with pytest.raises(errors.DeleteConflict) as exc:
        iam.delete_user(system, "alice")
    assert blocker in exc.value.message and exc.value.status == 409
    assert User.objects.filter(name="alice").exists()


def test_delete_user_with_mfa_device_is_a_delete_conflict(system):
    import pyotp
    import time_machine

    iam.create_user(system, "alice")
    new = iam.create_virtual_mfa_device(system, "alice-phone")
    totp = pyotp.TOTP(new.base32_seed)
    with time_machine.travel(1_800_000_000, tick=False):
        iam.enable_mfa_device(system, "alice", new.device.serial_number,
                              totp.at(1_800_000_000 - 30), totp.at(1_800_000_000))
    with pytest.raises(errors.DeleteConflict, match="MFA"):
        iam.delete_user(system, "alice")


def test_delete_user_removes_it_and_is_audited(system):
    iam.create_user(system, "alice")
    iam.delete_user(system, "alice")
    assert not User.objects.filter(name="alice").exists()
    event = AuditEvent.objects.filter(action="iam:DeleteUser").get()
    assert event.resource_name == "alice" and event.old_value["UserName"] == "alice"


def test_tags_merge_case_insensitively_and_untag(system):
    iam.create_user(system, "alice", tags=[{"Key": "Team", "Value": "a"}])
    iam.tag_user(system, "alice", [{"Key": "team", "Value": "b"}, {"Key": "cost", "Value": "1"}])
    assert iam.list_user_tags(system, "alice") == {"team": "b", "cost": "1"}
    iam.untag_user(system, "alice", ["TEAM"])
    assert iam.list_user_tags(system, "alice") == {"cost": "1"}


def test_duplicate_tag_keys_in_one_request_are_invalid_input(system):
    with pytest.raises(errors.InvalidInput):
        iam.create_user(system, "alice", tags=[{"Key": "a", "Value": "1"},
                                               {"Key": "A", "Value": "2"}])


def test_aws_prefixed_tag_keys_are_reserved(system):
    with pytest.raises(errors.InvalidInput):
        iam.create_user(system, "alice", tags={"aws:thing": "x"})


def test_more_than_50_tags_is_limit_exceeded(system):
    iam.create_user(system, "alice", tags={f"k{i}": "v" for i in range(50)})
    with pytest.raises(errors.LimitExceeded):
        iam.tag_user(system, "alice", {"one-more": "v"})
    assert len(iam.list_user_tags(system, "alice")) == 50


def test_permissions_boundary_put_and_delete(system):
    boundary = iam.create_policy(system, "Boundary", ADMIN_POLICY)
    iam.create_user(system, "alice")
    assert iam.put_user_permissions_boundary(system, "alice", boundary.arn) \
        .permissions_boundary == boundary
    assert iam.delete_user_permissions_boundary(system, "alice").permissions_boundary is None
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_user_permissions_boundary(system, "alice")


def test_unknown_boundary_policy_is_no_such_entity(system):
    with pytest.raises(errors.NoSuchEntity):
        iam.create_user(system, "alice",
                        permissions_boundary=f"arn:aws:iam::{ACCOUNT}:policy/missing")
    assert not User.objects.filter(name="alice").exists()


def test_outsider_is_denied_with_awss_message(outsider_caller):
    with pytest.raises(errors.AccessDenied) as exc:
        iam.create_user(outsider_caller, "mallory")
    assert exc.value.status == 403
    assert exc.value.message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/outsider is not authorized to perform: "
        f"iam:CreateUser on resource: arn:aws:iam::{ACCOUNT}:user/mallory because no "
        "identity-based policy allows the iam:CreateUser action"
    )
    assert not User.objects.filter(name="mallory").exists()


def test_admin_and_root_may_create_users(admin_caller, root_user):
    assert iam.create_user(admin_caller, "a1")
    assert iam.create_user(caller_for(root_user), "a2")


def test_policy_resource_scoping_by_path(db):
    scoped = make_user("scoped", policy=policy_json(
        allow("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/contractors/*")))
    caller = caller_for(scoped)
    assert iam.create_user(caller, "c1", path="/contractors/")
    with pytest.raises(errors.AccessDenied):
        iam.create_user(caller, "c2", path="/staff/")


def test_delegated_admin_may_only_create_users_with_its_boundary(system):
    boundary = iam.create_policy(system, "DevBoundary", policy_json(allow("s3:*")))
    delegated = make_user("delegated", policy=policy_json(
        allow("iam:CreateUser", "*",
              Condition={"StringEquals": {"iam:PermissionsBoundary": boundary.arn}})))
    caller = caller_for(delegated)
    with pytest.raises(errors.AccessDenied):
        iam.create_user(caller, "no-boundary")
    assert iam.create_user(caller, "bounded", permissions_boundary=boundary.arn)


def test_every_change_writes_an_audit_event_with_the_actor(admin_caller):
    iam.create_user(admin_caller, "alice", tags={"t": "1"})
    event = AuditEvent.objects.get(action="iam:CreateUser", resource_name="alice")
    assert event.actor == "admin" and event.actor_arn.endswith(":user/admin")
    assert event.new_value["UserName"] == "alice" and event.new_value["Tags"] == {"t": "1"}
