"""`manage.py createadmin NAME [--access-key]`: an IAM user with AdministratorAccess, its
generated password printed once, through the domain operations (audited)."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from iamconsole.iam import demo
from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    return re.search(r"Console password \(shown once\): (\S+)", output)[1]


def test_createadmin_creates_a_customer_managed_administrator_policy_when_none_exists(system):
    output = run("ops-admin")
    user = User.objects.get(name="ops-admin")
    assert user.check_password(printed_password(output))
    attached = iam.list_attached_policies(system, "user", "ops-admin")
    assert [p.arn for p in attached] == ["arn:aws:iam::123456789012:policy/AdministratorAccess"]
    document = json.loads(iam.default_version(attached[0]).document)
    assert document["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    assert "AccessKeyId" not in output
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"iam:CreateUser", "iam:CreateLoginProfile", "iam:CreatePolicy",
            "iam:AttachUserPolicy"} <= actions


def test_createadmin_reuses_aws_managed_administrator_access(system):
    demo._managed_policies(system)
    run("second")
    run("third")
    for name in ("second", "third"):
        assert [p.arn for p in iam.list_attached_policies(system, "user", name)] == [
            "arn:aws:iam::aws:policy/AdministratorAccess"]
    assert not iam.list_policies(system, scope="Local").filter(name="AdministratorAccess")


def test_createadmin_password_satisfies_a_strict_password_policy(system):
    iam.update_account_password_policy(system, minimum_password_length=40, require_symbols=True,
                                       require_numbers=True, require_uppercase_characters=True,
                                       require_lowercase_characters=True)
    password = printed_password(run("strict"))
    assert len(password) >= 40


def test_createadmin_with_access_key_prints_it_once(system):
    output = run("scripted", "--access-key")
    key_id = re.search(r"AccessKeyId: (AKIA\w+)", output)[1]
    assert [k.access_key_id for k in iam.list_access_keys(system, "scripted")] == [key_id]
    assert re.search(r"SecretAccessKey \(shown once\): (\S{40})", output)


def test_createadmin_refuses_an_existing_user_and_changes_nothing(system):
    iam.create_user(system, "taken")
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="A user named taken already exists"):
        run("taken", "--access-key")
    assert not iam.list_attached_policies(system, "user", "taken")
    assert not iam.list_access_keys(system, "taken")
    assert AuditEvent.objects.count() == events
