"""Upgrading a single-account database: every row moves into the default account, and every
ARN, unique id, name and access key keeps working."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from iamconsole.iam import crypto
from iamconsole.iam.models import AccessKey, ManagedPolicy, Role, User

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("iam", "0004_audit_error_code_append_only")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_single_account_rows_migrate_into_the_default_account():
    old = migrate(BEFORE)
    try:
        OldUser = old.get_model("iam", "User")
        alice = OldUser.objects.create(name="alice", path="/eng/", user_id="AIDAOLDALICE000000000",
                                       password="!")
        OldUser.objects.create(name="root", is_root=True, user_id="AIDAOLDROOT0000000000",
                               password="!")
        old.get_model("iam", "AccessKey").objects.create(
            access_key_id="AKIAOLDKEY0000000000", user_id=alice.pk,
            secret_encrypted=crypto.encrypt("s" * 40))
        old.get_model("iam", "Role").objects.create(
            name="app", role_id="AROAOLDAPP00000000000", assume_role_policy_document="{}")
        old.get_model("iam", "ManagedPolicy").objects.create(name="Pol",
                                                             policy_id="ANPAOLD0000000000000")
        old.get_model("iam", "AccountSettings").objects.create(pk=1, alias="legacy-corp")
        old.get_model("iam", "AuditEvent").objects.create(action="iam:CreateUser")
    finally:
        executor = MigrationExecutor(connection)
        migrate(executor.loader.graph.leaf_nodes())

    user = User.objects.get(name="alice")
    assert (user.account_id, user.user_id) == ("123456789012", "AIDAOLDALICE000000000")
    assert user.arn == "arn:aws:iam::123456789012:user/eng/alice"
    assert User.objects.get(is_root=True).arn == "arn:aws:iam::123456789012:root"
    assert Role.objects.get(name="app").arn == "arn:aws:iam::123456789012:role/app"
    assert ManagedPolicy.objects.get(name="Pol").arn == "arn:aws:iam::123456789012:policy/Pol"
    key = AccessKey.objects.get(access_key_id="AKIAOLDKEY0000000000")
    assert key.user == user and crypto.decrypt(key.secret_encrypted) == "s" * 40
    from iamconsole.iam.services.accounts import resolve_account

    assert resolve_account("legacy-corp").id == "123456789012"
    from iamconsole.iam.models import AuditEvent

    assert AuditEvent.objects.filter(action="iam:CreateUser").count() == 1
