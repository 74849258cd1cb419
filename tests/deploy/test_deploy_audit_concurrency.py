"""Parallel requests that change the same thing: of ten DeleteUser / DeleteAccessKey /
RemoveUserFromGroup calls one succeeds and is audited, the others get NoSuchEntity as AWS
answers; ten AddUserToGroup calls write one audit event; of ten ChangePassword calls with the same
old password exactly one succeeds (the user's row is locked). Real threads, one database
connection each, on PostgreSQL (SQLite serializes writers on its file)."""

from __future__ import annotations

import pytest
from django.db import connection
from personas import PASSWORD, caller_for, make_user, policy_json
from test_deploy_concurrency import race

from iamconsole.iam import errors
from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, Group, User

pytestmark = [pytest.mark.django_db(transaction=True)]
THREADS = 10


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency needs PostgreSQL (run with DATABASE_URL=postgres://…)")


def _one_success_rest_no_such_entity(results: list[object]) -> None:
    successes = [r for r in results if not isinstance(r, Exception)]
    others = [r for r in results if isinstance(r, Exception)]
    assert len(successes) == 1, results
    assert all(isinstance(r, errors.NoSuchEntity) for r in others), results


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action, outcome="success").count()


def test_parallel_delete_user_deletes_and_audits_once(system):
    make_user("gone", password=None)
    results = race(THREADS, lambda _: iam.delete_user(system, "gone"))
    _one_success_rest_no_such_entity(results)
    assert not User.objects.filter(name="gone").exists()
    assert _events("iam:DeleteUser") == 1


def test_parallel_delete_access_key_deletes_and_audits_once(system):
    make_user("bob", password=None)
    key_id = iam.create_access_key(system, "bob").access_key.access_key_id
    results = race(THREADS, lambda _: iam.delete_access_key(system, key_id, "bob"))
    _one_success_rest_no_such_entity(results)
    assert _events("iam:DeleteAccessKey") == 1


def test_parallel_remove_user_from_group_removes_and_audits_once(system):
    make_user("bob", password=None)
    iam.create_group(system, "team")
    iam.add_user_to_group(system, "team", "bob")
    results = race(THREADS, lambda _: iam.remove_user_from_group(system, "team", "bob"))
    _one_success_rest_no_such_entity(results)
    assert not Group.objects.get(name="team").members.exists()
    assert _events("iam:RemoveUserFromGroup") == 1


def test_parallel_add_user_to_group_succeeds_everywhere_and_audits_once(system):
    make_user("bob", password=None)
    iam.create_group(system, "team")
    results = race(THREADS, lambda _: iam.add_user_to_group(system, "team", "bob"))
    assert results == [None] * THREADS
    assert list(Group.objects.get(name="team").members.values_list("name", flat=True)) == ["bob"]
    assert _events("iam:AddUserToGroup") == 1


def test_parallel_change_password_with_the_same_old_password_succeeds_once():
    make_user("carol", policy=policy_json({"Effect": "Allow", "Action": "iam:ChangePassword",
                                           "Resource": "*"}))

    def change(index: int):
        caller = caller_for(User.objects.get(name="carol"))
        return iam.change_password(caller, PASSWORD, f"Brand-New-Secret-{index}!")

    results = race(THREADS, change)
    successes = [r for r in results if not isinstance(r, Exception)]
    assert len(successes) == 1, results
    assert all(isinstance(r, errors.InvalidInput) for r in results if r not in successes), results
    carol = User.objects.get(name="carol")
    assert not carol.check_password(PASSWORD)
    assert sum(carol.check_password(f"Brand-New-Secret-{i}!") for i in range(THREADS)) == 1
    assert _events("iam:ChangePassword") == 1
