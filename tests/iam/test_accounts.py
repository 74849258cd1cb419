"""Accounts in the domain layer: entities belong to one account, names are unique per account,
ARNs carry the owner's account, and a caller sees only its own account's entities."""

import pytest
from accounts_fixtures import A, B, in_account, second_account
from personas import ADMIN_POLICY, caller_for, make_user

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import AccessDenied, EntityAlreadyExists, NoSuchEntity
from iamconsole.iam.models import Account, AccountSettings, AuditEvent, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def b(db):
    return second_account()


def test_the_default_account_exists_and_owns_what_is_created_outside_a_request(db):
    user = make_user("alice")
    assert Account.objects.filter(id=A).exists()
    assert user.account_id == A
    assert user.arn == f"arn:aws:iam::{A}:user/alice"


def test_a_new_account_has_its_own_root_user(b):
    root = User.everywhere.get(account_id=B, is_root=True)
    assert root.arn == f"arn:aws:iam::{B}:root"
    assert not root.has_usable_password()


def test_the_same_user_name_may_exist_in_two_accounts(b):
    alice_a = make_user("alice")
    with in_account(B):
        alice_b = make_user("alice")
    assert alice_a.pk != alice_b.pk
    assert alice_b.arn == f"arn:aws:iam::{B}:user/alice"
    with in_account(B), pytest.raises(EntityAlreadyExists):
        iam.create_user(Caller.system("test"), "ALICE")


def test_a_caller_sees_only_its_own_accounts_entities(b):
    admin = make_user("admin", policy=ADMIN_POLICY)
    with in_account(B):
        make_user("bob")
        iam.create_group(Caller.system("test"), "b-team")
    caller = caller_for(admin)
    assert [u.name for u in iam.list_users(caller)] == ["admin"]
    with pytest.raises(NoSuchEntity):
        iam.get_user(caller, "bob")
    with pytest.raises(NoSuchEntity):
        iam.get_group(caller, "b-team")


def test_a_policy_of_another_account_cannot_be_read_or_attached_by_arn(b):
    admin = make_user("admin", policy=ADMIN_POLICY)
    with in_account(B):
        policy = iam.create_policy(Caller.system("test"), "BPolicy", ADMIN_POLICY)
    assert policy.arn == f"arn:aws:iam::{B}:policy/BPolicy"
    caller = caller_for(admin)
    # Across accounts, with no resource policy, the identity side alone never suffices.
    with pytest.raises(AccessDenied):
        iam.get_policy(caller, policy.arn)
    with pytest.raises((AccessDenied, NoSuchEntity)):
        iam.attach_user_policy(caller, "admin", policy.arn)
    assert not User.objects.get(name="admin").policy_attachments.exists()


def test_each_account_has_its_own_password_policy_alias_and_audit_log(b):
    system = Caller.system("test")
    iam.update_account_password_policy(system, minimum_password_length=20)
    iam.create_account_alias(system, "team-a")
    with in_account(B):
        assert iam.account_password_policy() is None
        assert iam.list_account_aliases(system) == []
        assert not AuditEvent.objects.filter(action="iam:CreateAccountAlias").exists()
        with pytest.raises(EntityAlreadyExists):
            iam.create_account_alias(system, "team-a")  # aliases are unique across accounts
    assert iam.account_password_policy().minimum_password_length == 20
    assert AuditEvent.objects.filter(action="iam:CreateAccountAlias").count() == 1


def test_a_trust_policy_naming_a_user_of_another_account_held_here_needs_that_user(b):
    with in_account(B):
        bob = make_user("bob")
    role = iam.create_role(Caller.system("test"), "for-bob",
                           '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                           f'"Principal":{{"AWS":"{bob.arn}"}},"Action":"sts:AssumeRole"}}]}}')
    assert bob.arn in role.assume_role_policy_document
    with pytest.raises(Exception, match="Invalid principal"):
        iam.create_role(Caller.system("test"), "for-nobody",
                        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                        f'"Principal":{{"AWS":"arn:aws:iam::{B}:user/nobody"}},'
                        '"Action":"sts:AssumeRole"}]}')


def test_deleting_a_trusted_user_in_another_account_unbinds_it_from_trust_policies(b):
    with in_account(B):
        bob = make_user("bob", password=None)
    iam.create_role(Caller.system("test"), "for-bob",
                    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                    f'"Principal":{{"AWS":"{bob.arn}"}},"Action":"sts:AssumeRole"}}]}}')
    with in_account(B):
        iam.delete_user(Caller.system("test"), "bob")
    document = Role.objects.get(name="for-bob").assume_role_policy_document
    assert bob.arn not in document and bob.user_id in document


def test_each_account_sets_and_deletes_its_own_password_policy(b):
    system = Caller.system("test")
    iam.update_account_password_policy(system, minimum_password_length=10)
    with in_account(B):
        iam.update_account_password_policy(system, minimum_password_length=30)
        iam.update_account_password_policy(system, minimum_password_length=31)
        assert iam.account_password_policy().minimum_password_length == 31
        iam.delete_account_password_policy(system)
        assert iam.account_password_policy() is None
    assert iam.account_password_policy().minimum_password_length == 10


def test_each_account_keeps_its_own_settings_row(b):
    system = Caller.system("test")
    iam.update_account_settings(system, require_mfa=True)
    with in_account(B):
        assert AccountSettings.load().require_mfa is False
    assert AccountSettings.load().require_mfa is True
