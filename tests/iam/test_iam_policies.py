"""Managed policies, versions, attachments and inline policies: AWS's limits and error codes."""

import json

import pytest
from personas import ADMIN_POLICY, allow, policy_json

from iamconsole.iam import errors
from iamconsole.iam import services as iam
from iamconsole.iam.models import ManagedPolicy, PolicyVersion, UserInlinePolicy
from iamconsole.iam.services._common import non_whitespace_length

pytestmark = pytest.mark.django_db
ACCOUNT = "123456789012"
S3_READ = policy_json(allow("s3:GetObject", "arn:aws:s3:::bucket/*"))


def test_create_policy_stores_the_document_verbatim_as_v1_default(system):
    text = '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Allow", "Action": "s3:*",' \
           ' "Resource": "*"}]}'
    policy = iam.create_policy(system, "S3All", text, path="/team/", description="d")
    assert policy.arn == f"arn:aws:iam::{ACCOUNT}:policy/team/S3All"
    assert policy.policy_id.startswith("ANPA")
    version = iam.default_version(policy)
    assert (version.version_id, version.document) == ("v1", text)


@pytest.mark.parametrize(
    "document",
    ["", "not json", "[]", '{"Version": "2012-10-17"}',
     json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*",
                                                          "Resource": "*"}]})],
    ids=["empty", "not-json", "array", "no-statement", "bad-effect"],
)
def test_malformed_documents_are_rejected_with_malformed_policy_document(system, document):
    with pytest.raises(errors.MalformedPolicyDocument) as exc:
        iam.create_policy(system, "Bad", document)
    assert exc.value.status == 400 and exc.value.code == "MalformedPolicyDocument"
    assert not ManagedPolicy.objects.exists()


def test_managed_policy_size_limit_ignores_whitespace(system):
    resources = [f"arn:aws:s3:::b/{i:05d}" for i in range(400)]
    big = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": resources}]})
    assert len(big) > 6144
    with pytest.raises(errors.LimitExceeded):
        iam.create_policy(system, "Big", big)
    padded = S3_READ.replace("\n", "\n" + " " * 1000)
    assert len(padded) > 6144  # whitespace does not count
    assert iam.create_policy(system, "Padded", padded)


def test_policy_names_are_unique_ignoring_case(system):
    iam.create_policy(system, "Readers", S3_READ)
    with pytest.raises(errors.EntityAlreadyExists):
        iam.create_policy(system, "readers", S3_READ, path="/other/")


def test_sixth_version_is_limit_exceeded(system):
    policy = iam.create_policy(system, "P", S3_READ)
    for _ in range(4):
        iam.create_policy_version(system, policy.arn, S3_READ)
    with pytest.raises(errors.LimitExceeded) as exc:
        iam.create_policy_version(system, policy.arn, S3_READ)
    assert exc.value.status == 409
    assert PolicyVersion.objects.filter(policy=policy).count() == 5


def test_version_ids_are_never_reused(system):
    policy = iam.create_policy(system, "P", S3_READ)
    v2 = iam.create_policy_version(system, policy.arn, S3_READ)
    iam.delete_policy_version(system, policy.arn, v2.version_id)
    v3 = iam.create_policy_version(system, policy.arn, S3_READ)
    assert v3.version_id == "v3"


def test_set_default_version_moves_the_single_default(system):
    policy = iam.create_policy(system, "P", S3_READ)
    v2 = iam.create_policy_version(system, policy.arn, ADMIN_POLICY, set_as_default=True)
    assert iam.default_version(policy).pk == v2.pk
    iam.set_default_policy_version(system, policy.arn, "v1")
    assert [v.version_id for v in policy.versions.filter(is_default=True)] == ["v1"]


def test_default_version_cannot_be_deleted(system):
    policy = iam.create_policy(system, "P", S3_READ)
    with pytest.raises(errors.DeleteConflict):
        iam.delete_policy_version(system, policy.arn, "v1")


@pytest.mark.parametrize("version_id, error", [("v9", errors.NoSuchEntity),
                                                ("9", errors.ValidationError),
                                                ("vx", errors.ValidationError)])
def test_unknown_or_malformed_version_ids(system, version_id, error):
    policy = iam.create_policy(system, "P", S3_READ)
    with pytest.raises(error):
        iam.get_policy_version(system, policy.arn, version_id)


def test_delete_policy_conflicts_while_attached_or_versioned(system):
    policy = iam.create_policy(system, "P", S3_READ)
    iam.create_user(system, "alice")
    iam.attach_user_policy(system, "alice", policy.arn)
    with pytest.raises(errors.DeleteConflict, match="attached"):
        iam.delete_policy(system, policy.arn)
    iam.detach_user_policy(system, "alice", policy.arn)
    iam.create_policy_version(system, policy.arn, S3_READ)
    with pytest.raises(errors.DeleteConflict, match="version"):
        iam.delete_policy(system, policy.arn)
    iam.delete_policy_version(system, policy.arn, "v2")
    iam.delete_policy(system, policy.arn)
    assert not ManagedPolicy.objects.exists()


def test_delete_policy_used_as_boundary_conflicts(system):
    policy = iam.create_policy(system, "B", S3_READ)
    iam.create_user(system, "alice", permissions_boundary=policy.arn)
    with pytest.raises(errors.DeleteConflict, match="boundary"):
        iam.delete_policy(system, policy.arn)


def test_eleventh_attached_policy_is_limit_exceeded(system):
    iam.create_role(system, "r", policy_json({"Effect": "Allow", "Action": "sts:AssumeRole",
                                              "Principal": {"AWS": ACCOUNT}}))
    arns = [iam.create_policy(system, f"P{i}", S3_READ).arn for i in range(11)]
    for arn in arns[:10]:
        iam.attach_role_policy(system, "r", arn)
    with pytest.raises(errors.LimitExceeded):
        iam.attach_role_policy(system, "r", arns[10])
    assert iam.list_attached_policies(system, "role", "r").count() == 10


def test_attaching_twice_is_a_no_op_and_counts_are_annotated(system):
    policy = iam.create_policy(system, "P", S3_READ)
    iam.create_group(system, "g")
    iam.attach_group_policy(system, "g", policy.arn)
    iam.attach_group_policy(system, "g", policy.arn)
    listed = iam.list_policies(system, scope="Local").get()
    assert listed.attachment_count == 1 == iam.attachment_count(policy)
    assert [g.name for g in iam.list_entities_for_policy(system, policy.arn).groups] == ["g"]


def test_detaching_an_unattached_policy_is_no_such_entity(system):
    policy = iam.create_policy(system, "P", S3_READ)
    iam.create_user(system, "alice")
    with pytest.raises(errors.NoSuchEntity):
        iam.detach_user_policy(system, "alice", policy.arn)


@pytest.mark.parametrize("arn, error", [
    ("not-an-arn", errors.ValidationError),  # "Invalid ARN: Could not be parsed!"
    (f"arn:aws:iam::{ACCOUNT}:user/alice", errors.InvalidInput),  # an ARN, not a policy's
    (f"arn:aws:iam::{ACCOUNT}:policy/missing", errors.NoSuchEntity),
    ("arn:aws:iam::999999999999:policy/other-account", errors.NoSuchEntity),
])
def test_attach_with_bad_policy_arn(system, arn, error):
    iam.create_user(system, "alice")
    with pytest.raises(error):
        iam.attach_user_policy(system, "alice", arn)


def test_aws_managed_policies_cannot_be_changed(system, admin_caller):
    policy = iam.create_policy(system, "ReadOnlyAccess", S3_READ, aws_managed=True)
    assert policy.arn == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    with pytest.raises(errors.UnmodifiableEntity):
        iam.create_policy_version(admin_caller, policy.arn, S3_READ)
    with pytest.raises(errors.UnmodifiableEntity):
        iam.delete_policy(admin_caller, policy.arn)
    with pytest.raises(errors.InvalidInput):
        iam.create_policy(admin_caller, "Fake", S3_READ, aws_managed=True)


def test_inline_policy_put_replaces_and_get_returns_document(system):
    iam.create_user(system, "alice")
    iam.put_user_policy(system, "alice", "p", S3_READ)
    iam.put_user_policy(system, "alice", "p", ADMIN_POLICY)
    assert iam.get_inline_policy(system, "user", "alice", "p").document == ADMIN_POLICY
    assert [p.name for p in iam.list_inline_policies(system, "user", "alice")] == ["p"]
    iam.delete_inline_policy(system, "user", "alice", "p")
    with pytest.raises(errors.NoSuchEntity):
        iam.get_inline_policy(system, "user", "alice", "p")


@pytest.mark.parametrize("kind, limit", [("user", 2048), ("group", 5120), ("role", 10240)])
def test_inline_policies_share_an_aggregate_size_quota(system, kind, limit):
    trust = policy_json({"Effect": "Allow", "Action": "sts:AssumeRole",
                         "Principal": {"AWS": ACCOUNT}})
    {"user": lambda: iam.create_user(system, "e"), "group": lambda: iam.create_group(system, "e"),
     "role": lambda: iam.create_role(system, "e", trust)}[kind]()

    def doc(n: int) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject",
             "Resource": [f"arn:aws:s3:::b/{i:04d}" for i in range(n)]}]})

    per = max(n for n in range(1, 600) if non_whitespace_length(doc(n)) <= limit // 2)
    iam.put_inline_policy(system, kind, "e", "one", doc(per))
    iam.put_inline_policy(system, kind, "e", "two", doc(per))
    with pytest.raises(errors.LimitExceeded):
        iam.put_inline_policy(system, kind, "e", "three", doc(per))
    assert iam.list_inline_policies(system, kind, "e").count() == 2


def test_inline_policy_document_is_validated(system):
    iam.create_user(system, "alice")
    with pytest.raises(errors.MalformedPolicyDocument):
        iam.put_user_policy(system, "alice", "p", '{"Statement": []}')
    assert not UserInlinePolicy.objects.exists()


def test_list_policies_scope_and_only_attached(system):
    iam.create_policy(system, "AwsOne", S3_READ, aws_managed=True)
    local = iam.create_policy(system, "LocalOne", S3_READ)
    iam.create_policy(system, "LocalTwo", S3_READ)
    iam.create_user(system, "alice")
    iam.attach_user_policy(system, "alice", local.arn)
    assert [p.name for p in iam.list_policies(system, scope="AWS")] == ["AwsOne"]
    assert [p.name for p in iam.list_policies(system, only_attached=True)] == ["LocalOne"]
    with pytest.raises(errors.ValidationError):
        iam.list_policies(system, scope="Everything")
