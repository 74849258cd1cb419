"""The entity-kind registry and the ARN module: what every door builds its per-kind code from."""

import pytest

from iamconsole.iam import arns, kinds
from iamconsole.iam import identifiers as ids
from iamconsole.iam import services as iam
from iamconsole.iam.errors import NoSuchEntity, ValidationError

ACCOUNT = "123456789012"


@pytest.fixture(autouse=True)
def _account(settings):
    settings.IAM_ACCOUNT_ID = ACCOUNT


@pytest.mark.parametrize(("built", "expected"), [
    (lambda: arns.entity("user", "alice"), f"arn:aws:iam::{ACCOUNT}:user/alice"),
    (lambda: arns.entity("role", "r", "/svc/eu/"), f"arn:aws:iam::{ACCOUNT}:role/svc/eu/r"),
    (lambda: arns.policy("P"), f"arn:aws:iam::{ACCOUNT}:policy/P"),
    (lambda: arns.policy("ReadOnlyAccess", aws_managed=True),
     "arn:aws:iam::aws:policy/ReadOnlyAccess"),
    (lambda: arns.root(), f"arn:aws:iam::{ACCOUNT}:root"),
    (lambda: arns.root("210987654321"), "arn:aws:iam::210987654321:root"),
    (lambda: arns.assumed_role("ops", "s1"), f"arn:aws:sts::{ACCOUNT}:assumed-role/ops/s1"),
    (lambda: kinds.USER.arn("bob", "/eng/"), f"arn:aws:iam::{ACCOUNT}:user/eng/bob"),
    (lambda: kinds.MFA_DEVICE.arn("bob"), f"arn:aws:iam::{ACCOUNT}:mfa/bob"),
])
def test_arns_are_built_as_aws_writes_them(built, expected):
    assert built() == expected


@pytest.mark.parametrize(("value", "parts"), [
    (f"arn:aws:iam::{ACCOUNT}:user/alice", ("iam", ACCOUNT, "user", "/", "alice")),
    (f"arn:aws:iam::{ACCOUNT}:user/a/b/c", ("iam", ACCOUNT, "user", "/a/b/", "c")),
    ("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
     ("iam", "aws", "policy", "/job-function/", "ViewOnlyAccess")),
    (f"arn:aws:iam::{ACCOUNT}:root", ("iam", ACCOUNT, "root", "", "")),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/ops/s1",
     ("sts", ACCOUNT, "assumed-role", "/ops/", "s1")),
])
def test_arns_parse_into_their_parts_and_back(value, parts):
    parsed = arns.parse_any(value)
    assert (parsed.service, parsed.account, parsed.type, parsed.path, parsed.name) == parts
    assert str(parsed) == value


@pytest.mark.parametrize("value", [
    None, "", "alice", f"arn:aws:iam::{ACCOUNT}:user/", f"arn:aws:iam::{ACCOUNT}:user",
    f"arn:aws:iam:us-east-1:{ACCOUNT}:user/a", "arn:aws:iam::12345:user/a",
])
def test_what_is_not_a_user_arn_parses_to_none(value):
    assert arns.parse_named(value, "user") is None


def test_parse_named_keeps_only_the_type_asked_for():
    assert arns.parse_named(f"arn:aws:iam::{ACCOUNT}:role/r", "user") is None
    assert arns.parse_named(f"arn:aws:iam::{ACCOUNT}:root", "user") is None
    assert arns.parse_named(f"arn:aws:iam::{ACCOUNT}:role/r", "role").name == "r"


def test_kind_parses_only_its_own_local_arns():
    assert kinds.ROLE.parse_arn(f"arn:aws:iam::{ACCOUNT}:role/x/r").path == "/x/"
    assert kinds.ROLE.parse_arn("arn:aws:iam::210987654321:role/r") is None
    assert kinds.ROLE.parse_arn(f"arn:aws:iam::{ACCOUNT}:user/r") is None
    assert kinds.kind_of_arn(f"arn:aws:iam::{ACCOUNT}:group/g") is kinds.GROUP
    assert kinds.kind_of_arn(f"arn:aws:iam::{ACCOUNT}:root") is None


def test_registry_describes_each_kind():
    assert set(kinds.IDENTITIES) == {"user", "group", "role"}
    assert {k.key for k in kinds.with_("boundary")} == {"user", "role"}
    assert {k.key for k in kinds.with_("tags")} == {"user", "role", "policy", "mfa",
                                                    "instance_profile", "server_certificate",
                                                    "oidc_provider", "saml_provider"}
    assert kinds.by_noun("Role") is kinds.ROLE
    assert kinds.USER.name_parameter == "UserName"
    assert kinds.USER.action("Tag{noun}") == "iam:TagUser"
    assert (kinds.USER.name_max, kinds.GROUP.name_max, kinds.ROLE.name_max) == (64, 128, 64)
    assert kinds.GROUP.id_prefix == ids.new_group_id()[:4]


def test_kind_op_finds_the_domain_operation_by_its_aws_name():
    assert kinds.USER.op("Tag{noun}") is iam.tag_user
    assert kinds.ROLE.op("List{noun}Tags") is iam.list_role_tags
    assert kinds.USER.op("Put{noun}PermissionsBoundary") is iam.put_user_permissions_boundary
    assert not kinds.GROUP.has_op("Tag{noun}")


@pytest.mark.django_db
def test_kind_find_and_of_and_deletion_blockers(admin_caller):
    user = iam.create_user(admin_caller, "kinds-user")
    group = iam.create_group(admin_caller, "kinds-group")
    assert kinds.USER.find("KINDS-USER") == user
    assert kinds.of(user) is kinds.USER and kinds.of(group) is kinds.GROUP
    assert kinds.USER.deletion_blockers(user) == []
    iam.add_user_to_group(admin_caller, "kinds-group", "kinds-user")
    assert kinds.USER.deletion_blockers(user) == ["group memberships"]
    assert kinds.GROUP.deletion_blockers(group) == ["users"]
    with pytest.raises(NoSuchEntity):
        kinds.GROUP.find("no-such-group")


@pytest.mark.django_db
def test_target_user_is_the_named_user_or_the_calling_user(admin_caller, system):
    iam.create_user(admin_caller, "named")
    assert iam.target_user(admin_caller, "named").name == "named"
    assert iam.target_user(admin_caller, None) == admin_caller.user
    with pytest.raises(ValidationError, match="non-User credentials"):
        iam.target_user(system, None)


@pytest.mark.parametrize(("value", "parts"), [
    ("arn:aws:iam::999999999999:user/eng/bob", ("iam", "999999999999", "user", "/eng/", "bob")),
    ("arn:aws:iam::anything:user/", ("iam", "anything", "user", "/", "")),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/ops/s1",
     ("sts", ACCOUNT, "assumed-role", "/ops/", "s1")),
    (f"arn:aws:iam::{ACCOUNT}:root", ("iam", ACCOUNT, "root", "", "")),
])
def test_parse_any_reads_any_account_and_empty_names(value, parts):
    parsed = arns.parse_any(value)
    assert (parsed.service, parsed.account, parsed.type, parsed.path, parsed.name) == parts


@pytest.mark.parametrize("value", [None, "", "arn:aws:iam:eu:1:user/a", "arn:aws:iam::1",
                                   "user/alice"])
def test_parse_any_refuses_what_is_no_arn(value):
    assert arns.parse_any(value) is None


def test_parse_named_wants_the_type_a_name_and_an_account_id():
    assert arns.parse_named("arn:aws:iam::999999999999:role/x/r", "role").path == "/x/"
    assert arns.parse_named("arn:aws:iam::aws:policy/P", "policy") is None
    assert arns.parse_named("arn:aws:iam::aws:policy/P", "policy", aws=True).name == "P"
    for value in (f"arn:aws:iam::{ACCOUNT}:role/", f"arn:aws:iam::{ACCOUNT}:user/r",
                  "arn:aws:iam::*:role/r", f"arn:aws:sts::{ACCOUNT}:role/r"):
        assert arns.parse_named(value, "role") is None
    assert arns.is_account_id(ACCOUNT) and not arns.is_account_id("aws")
    assert arns.of_resource("user/a") == f"arn:aws:iam::{ACCOUNT}:user/a"


def test_per_kind_operations_carry_aws_names():
    assert [kinds.USER.op(t).__name__ for t in ("Tag{noun}", "List{noun}Tags",
                                                "Put{noun}PermissionsBoundary")] == [
        "tag_user", "list_user_tags", "put_user_permissions_boundary"]
    assert kinds.GROUP.op("Attach{noun}Policy") is iam.attach_group_policy
    assert kinds.POLICY.op("Untag{noun}").__name__ == "untag_policy"
