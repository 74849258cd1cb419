"""The AWS managed policy catalog: loading a dataset, updating from a newer one (attachments
kept, the new version the default at once), deprecation, and that the result stays read-only."""

import json

import pytest
from django.core.management import CommandError, call_command

from iamconsole.iam import aws_catalog, errors
from iamconsole.iam import aws_catalog as catalog
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import ManagedPolicy

pytestmark = pytest.mark.django_db


def _doc(action: str) -> dict:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}


def _entry(arn: str, versions: dict[str, str]) -> dict:
    latest = max(versions, key=lambda v: int(v[1:]))
    return {"arn": arn, "latestVersionId": latest, "versionsCount": len(versions),
            "createdDate": "2015-02-06T18:40:58.000Z",
            "lastUpdatedDate": "2026-07-21T18:42:30.000Z",
            "versions": {v: {"createdDate": "2026-07-21T18:42:30.000Z", "document": _doc(a)}
                         for v, a in versions.items()}}


def _dataset(tmp_path, name: str, entries: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(entries))
    return str(path)


FIRST = {
    "AmazonS3ReadOnlyAccess": _entry("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                                     {"v2": "s3:Get*", "v3": "s3:List*"}),
    "ViewOnlyAccess": _entry("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
                             {"v1": "ec2:Describe*"}),
    "AmazonECSServiceRolePolicy": _entry(
        "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy",
        {"v1": "ecs:*"}),
}


def _sync(path: str) -> str:
    from io import StringIO
    out = StringIO()
    call_command("sync_aws_managed_policies", "--file", path, stdout=out)
    return out.getvalue()


def test_sync_loads_the_catalog_with_paths_versions_and_dates(tmp_path, system):
    out = _sync(_dataset(tmp_path, "first.json", FIRST))
    assert "3 added, 0 changed, 0 deprecated" in out
    policy = iam.get_policy(system, "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")
    assert (policy.path, policy.is_aws_managed) == ("/job-function/", True)
    assert policy.created_at.year == 2015
    s3 = iam.get_policy(system, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    version = iam.default_version(s3)
    assert version.version_id == "v3"
    assert json.loads(version.document) == _doc("s3:List*")
    assert _sync(_dataset(tmp_path, "again.json", FIRST)).strip().endswith(
        "0 added, 0 changed, 0 deprecated")
    assert ManagedPolicy.objects.filter(is_aws_managed=True).count() == 3


def test_a_newer_dataset_adds_the_default_version_and_keeps_attachments(tmp_path, system):
    _sync(_dataset(tmp_path, "first.json", FIRST))
    iam.create_user(system, "Steve")
    arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    iam.attach_policy(system, "user", "Steve", arn)
    newer = dict(FIRST)
    newer["AmazonS3ReadOnlyAccess"] = _entry(arn, {"v2": "s3:Get*", "v3": "s3:List*",
                                                   "v4": "s3:Describe*"})
    del newer["AmazonECSServiceRolePolicy"]
    out = _sync(_dataset(tmp_path, "newer.json", newer))
    assert "0 added, 1 changed, 1 deprecated" in out
    policy = iam.get_policy(system, arn)
    assert iam.default_version(policy).version_id == "v4"
    assert [v.version_id for v in policy.versions.order_by("number")] == ["v3", "v4"]
    assert iam.attachment_count(policy) == 1
    # deprecated policies stay (AWS keeps them where they are attached)
    assert ManagedPolicy.objects.filter(name="AmazonECSServiceRolePolicy").exists()


def test_catalog_policies_cannot_be_changed(tmp_path, system):
    _sync(_dataset(tmp_path, "first.json", FIRST))
    arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    with pytest.raises(errors.UnmodifiableEntity):
        iam.create_policy_version(system, arn, json.dumps(_doc("*")), set_as_default=True)
    with pytest.raises(errors.UnmodifiableEntity):
        iam.delete_policy(system, arn)


def test_sync_without_a_dataset_is_a_command_error(tmp_path):
    with pytest.raises(CommandError):
        call_command("sync_aws_managed_policies", "--file", str(tmp_path / "missing.json"))
    with pytest.raises(CommandError):
        call_command("sync_aws_managed_policies",
                     "--file", _dataset(tmp_path, "bad.json", ["not", "a", "catalog"]))


def test_parse_skips_entries_that_are_not_aws_policies():
    parsed = aws_catalog.parse({"X": {"arn": "arn:aws:iam::123456789012:policy/X",
                                      "latestVersionId": "v1", "versions": {"v1": {}}},
                                **FIRST})
    assert sorted(p.name for p in parsed) == sorted(FIRST)


def test_migrate_loads_the_catalog_into_a_database_without_it(settings):
    settings.AWS_MANAGED_POLICIES_AUTOLOAD = True
    call_command("migrate", verbosity=0)
    aws = ManagedPolicy.objects.filter(is_aws_managed=True)
    assert aws.count() > 1000
    assert aws.filter(name="ReadOnlyAccess", path="/").exists()
    assert aws.filter(path="/service-role/").exists()
    # the second migrate finds it there and changes nothing
    call_command("migrate", verbosity=0)
    assert ManagedPolicy.objects.filter(is_aws_managed=True).count() == aws.count()


def test_the_snapshot_syncs_idempotently(aws_catalog):
    assert len(aws_catalog.added) > 1000
    again = catalog.sync(catalog.load(catalog.SNAPSHOT))
    assert (again.added, again.changed, again.deprecated) == ([], [], [])


def test_every_account_sees_and_attaches_the_catalog_with_its_own_counts(aws_catalog, system):
    from accounts_fixtures import B, in_account, second_account

    second_account()
    arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    iam.create_user(system, "Steve")
    iam.attach_policy(system, "user", "Steve", arn)
    with in_account(B):
        b = Caller.system("test")
        iam.create_user(b, "Steve")
        iam.create_group(b, "Ops")
        iam.attach_policy(b, "user", "Steve", arn)
        iam.attach_policy(b, "group", "Ops", arn)
        listed = iam.list_policies(b, scope="AWS")
        assert listed.count() > 1000
        assert listed.get(name="AmazonS3ReadOnlyAccess").attachment_count == 2
        assert iam.attachment_count(iam.get_policy(b, arn)) == 2
        assert iam.list_policies(b, scope="Local").count() == 0
        with pytest.raises(errors.UnmodifiableEntity):
            iam.delete_policy(b, arn)
    assert iam.attachment_count(iam.get_policy(system, arn)) == 1
    only = iam.list_policies(system, scope="AWS", only_attached=True)
    assert [p.name for p in only] == ["AmazonS3ReadOnlyAccess"]


def test_another_accounts_user_is_authorized_by_an_attached_catalog_policy(aws_catalog):
    from accounts_fixtures import B, in_account, second_account
    from personas import caller_for

    from iamconsole.iam import authz
    from iamconsole.iam.models import User
    from iamconsole.iam.simulation.run import simulate_principal_policy

    second_account()
    with in_account(B):
        b = Caller.system("test")
        iam.create_user(b, "Auditor")
        iam.attach_policy(b, "user", "Auditor", "arn:aws:iam::aws:policy/ReadOnlyAccess")
        auditor = caller_for(User.objects.get(name="Auditor"))
        assert authz.is_allowed(auditor, "iam:ListUsers", f"arn:aws:iam::{B}:user/*")
        assert not authz.is_allowed(auditor, "iam:CreateUser", f"arn:aws:iam::{B}:user/x")
        result, = simulate_principal_policy(b, f"arn:aws:iam::{B}:user/Auditor",
                                            ["s3:GetObject"],
                                            resource_arns=["arn:aws:s3:::bucket/key"])
        assert result.eval_decision == "allowed"
