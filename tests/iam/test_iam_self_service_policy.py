"""The self-service policy every account ships with (IAMConsoleManageOwnCredentials): AWS's
documented example, matching users with and without a path, created for new accounts and by
migration 0017 for existing ones, audited."""

from __future__ import annotations

import importlib
import json
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from iamconsole.iam import errors, tenancy
from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, ManagedPolicy
from iamconsole.iam.services.accounts import create_account
from iamconsole.iam.services.self_service import DOCUMENT, POLICY_NAME
from tests.conftest import caller_for, make_user

migration = importlib.import_module("iamconsole.iam.migrations.0017_mfaflow_self_service_policy")


@pytest.fixture(autouse=True)
def _db(db):
    pass


def shipped(system):
    return iam.ensure_self_service_policy(system)


def test_the_policy_is_created_once_and_audited(system, db):
    policy = shipped(system)
    assert policy.name == POLICY_NAME and not policy.is_aws_managed
    assert shipped(system).pk == policy.pk  # idempotent
    assert json.loads(policy.versions.get(is_default=True).document) == json.loads(DOCUMENT)
    assert AuditEvent.objects.filter(action="iam:CreatePolicy", resource_name=POLICY_NAME) \
        .count() == 1


@pytest.mark.parametrize("path", ["/", "/engineering/", "/a/b/"])
def test_a_user_manages_their_own_credentials_whatever_their_path(system, path):
    policy = shipped(system)
    alice = make_user("alice", path=path)
    make_user("xalice")  # `user/*${aws:username}` would match this one too
    iam.attach_user_policy(system, "alice", policy.arn)
    caller = caller_for(alice)
    assert iam.may_enroll_own_mfa(caller)
    assert iam.may_change_own_password(caller)
    assert iam.may_manage_own_access_keys(caller)
    assert iam.create_access_key(caller, "alice").access_key.user.name == "alice"
    assert iam.create_virtual_mfa_device(caller, "alice").device.name == "alice"
    with pytest.raises(errors.AccessDenied):
        iam.create_access_key(caller, "xalice")
    with pytest.raises(errors.AccessDenied):
        iam.create_virtual_mfa_device(caller, "xalice")


def test_without_the_policy_nothing_is_offered(db):
    plain = make_user("plain")
    caller = caller_for(plain)
    assert not iam.may_enroll_own_mfa(caller)
    assert not iam.may_change_own_password(caller)
    assert not iam.may_manage_own_access_keys(caller)


def test_a_new_account_gets_the_policy(system, settings):
    settings.SELF_SERVICE_POLICY_AUTOCREATE = True
    account = create_account(system, name="member")
    with tenancy.acting_in(account.id):
        policy = ManagedPolicy.objects.get(name=POLICY_NAME, is_aws_managed=False)
        assert policy.arn == f"arn:aws:iam::{account.id}:policy/{POLICY_NAME}"


def test_a_new_account_without_the_setting_gets_none(system, settings):
    settings.SELF_SERVICE_POLICY_AUTOCREATE = False
    account = create_account(system, name="bare")
    with tenancy.acting_in(account.id):
        assert not ManagedPolicy.objects.filter(name=POLICY_NAME).exists()


def test_the_migration_ships_it_to_every_existing_account_and_keeps_an_edited_one(
        system, settings):
    settings.SELF_SERVICE_POLICY_AUTOCREATE = False
    other = create_account(system, name="other")
    kept = iam.create_policy(system, POLICY_NAME.lower(), '{"Version": "2012-10-17", '
                             '"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}')
    settings.SELF_SERVICE_POLICY_AUTOCREATE = True
    migration.ship_self_service_policy(apps, SimpleNamespace(connection=connection))
    migration.ship_self_service_policy(apps, SimpleNamespace(connection=connection))  # again
    with tenancy.acting_in(other.id):
        policy = ManagedPolicy.objects.get(name=POLICY_NAME)
        assert json.loads(policy.versions.get(is_default=True).document) == json.loads(DOCUMENT)
        assert AuditEvent.objects.filter(action="iam:CreatePolicy",
                                         resource_arn=policy.arn).count() == 1
    # The default account had one of that name (ignoring case): left alone.
    assert list(ManagedPolicy.objects.filter(name__iexact=POLICY_NAME)) == [kept]
