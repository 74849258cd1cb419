"""A trust policy saved while the user it names is being deleted: the deletion must rewrite it
too, or the saved policy would name the ARN of a user who no longer exists (and trust the next
user of that name). Each thread has its own connection, as separate workers would; SQLite
serializes writers on one file, so this runs on PostgreSQL only."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection, connections, transaction
from personas import make_user, policy_json

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import Role

pytestmark = [pytest.mark.django_db(transaction=True)]
GHOST_ARN = "arn:aws:iam::123456789012:user/ghost"


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency needs PostgreSQL (run with DATABASE_URL=postgres://…)")


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


def test_a_deletion_waits_for_a_trust_policy_being_saved_and_rewrites_it():
    system = Caller.system("test")
    ghost = make_user("ghost", password=None)
    saved, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def create_role_and_hold_the_transaction() -> None:
        try:
            with transaction.atomic():
                iam.create_role(system, "target", policy_json({
                    "Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"AWS": GHOST_ARN}}))
                saved.set()
                release.wait(timeout=30)
        except Exception as exc:  # asserted on below
            outcome["create"] = exc
        finally:
            saved.set()
            connections.close_all()

    def delete_user() -> None:
        try:
            iam.delete_user(system, "ghost")
        except Exception as exc:  # asserted on below
            outcome["delete"] = exc
        finally:
            connections.close_all()

    creator = threading.Thread(target=create_role_and_hold_the_transaction)
    creator.start()
    assert saved.wait(timeout=30)
    deleter = threading.Thread(target=delete_user)
    deleter.start()
    for _ in range(3000):  # until the deletion waits for the open transaction's row lock
        if _waiting_for_a_lock() or not deleter.is_alive():
            break
        threading.Event().wait(0.01)
    release.set()
    creator.join(timeout=30)
    deleter.join(timeout=30)
    assert not creator.is_alive() and not deleter.is_alive()
    assert outcome == {}
    document = json.loads(Role.objects.get(name="target").assume_role_policy_document)
    assert document["Statement"][0]["Principal"]["AWS"] == ghost.user_id
