"""Several app instances share one PostgreSQL database: operations racing each other from
separate connections must keep AWS's rules (a TOTP code accepted once, quotas never exceeded,
last-used bookkeeping consistent). Each thread has its own database connection, as separate
gunicorn workers would. SQLite serializes writers on one file, so these run on PostgreSQL only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pyotp
import pytest
import time_machine
from django.db import connection, connections
from personas import make_user, policy_json

from iamconsole.iam import crypto, errors
from iamconsole.iam import services as iam
from iamconsole.iam.models import AccessKey, User, UserPolicyAttachment, VirtualMFADevice

pytestmark = [pytest.mark.django_db(transaction=True)]
THREADS = 8
T0 = 1_800_000_000  # on a 30-second TOTP step boundary


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency needs PostgreSQL (run with DATABASE_URL=postgres://…)")


def race(count: int, work: Callable[[int], object]) -> list[object]:
    """Run work(0..count-1) in `count` threads released at the same instant; each result is the
    return value or the exception raised."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as exc:  # collected and asserted on by the test
            results[index] = exc
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racing operation never finished"
    return results


def test_a_totp_code_is_accepted_exactly_once_under_parallel_sign_ins(system):
    make_user("alice")
    new = iam.create_virtual_mfa_device(system, "alice-phone")
    totp = pyotp.TOTP(new.base32_seed)
    serial = new.device.serial_number
    with time_machine.travel(datetime.fromtimestamp(T0, tz=UTC), tick=False):
        iam.enable_mfa_device(system, "alice", serial, totp.at(T0 - 30), totp.at(T0))
    later = T0 + 300
    with time_machine.travel(datetime.fromtimestamp(later, tz=UTC), tick=False):
        code = totp.at(later)
        results = race(THREADS, lambda _: iam.verify_mfa_code(User.objects.get(name="alice"),
                                                               code))
    errors_raised = [r for r in results if isinstance(r, Exception)]
    assert errors_raised == []
    accepted = [r for r in results if r is not None]
    assert len(accepted) == 1
    assert accepted[0].serial_number == serial
    assert VirtualMFADevice.objects.get().last_used_step == later // 30


def test_parallel_access_key_use_leaves_one_consistent_last_used_record(system):
    make_user("bob")
    key_id = iam.create_access_key(system, "bob").access_key.access_key_id
    with time_machine.travel(datetime.fromtimestamp(T0, tz=UTC), tick=False):
        results = race(THREADS, lambda i: iam.record_access_key_use(key_id, f"svc{i}",
                                                                    f"region-{i}"))
    assert [r for r in results if isinstance(r, Exception)] == []
    key = AccessKey.objects.get(access_key_id=key_id)
    assert key.last_used_at == datetime.fromtimestamp(T0, tz=UTC)
    # Service and region come from the same request, never a mix of two.
    assert key.last_used_service.startswith("svc")
    assert key.last_used_region == f"region-{key.last_used_service.removeprefix('svc')}"


def test_parallel_attachments_never_exceed_the_managed_policy_quota(system):
    make_user("carol")
    arns = [
        iam.create_policy(system, f"p{i}", policy_json({
            "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{i}/*",
        })).arn
        for i in range(14)
    ]
    results = race(len(arns), lambda i: iam.attach_user_policy(system, "carol", arns[i]))
    assert UserPolicyAttachment.objects.filter(user__name="carol").count() == 10
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 4
    assert all(isinstance(r, errors.LimitExceeded) for r in refused), refused


def test_parallel_access_key_creation_never_exceeds_two_keys(system):
    make_user("dave")
    results = race(6, lambda _: iam.create_access_key(system, "dave"))
    created = [r for r in results if isinstance(r, iam.NewAccessKey)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(created) == 2
    assert len(refused) == 4
    assert all(isinstance(r, errors.LimitExceeded) for r in refused), refused
    keys = AccessKey.objects.filter(user__name="dave")
    assert sorted(k.access_key_id for k in keys) == sorted(
        c.access_key.access_key_id for c in created
    )
    for new in created:  # each returned secret is the one stored for its key
        stored = keys.get(access_key_id=new.access_key.access_key_id).secret_encrypted
        assert crypto.decrypt(stored) == new.secret_access_key


def test_parallel_counter_increments_are_all_counted_without_redis():
    from iamconsole.iam import counters
    from iamconsole.iam.models import Counter

    results = race(THREADS, lambda _: counters.increment("race-key", 60))
    assert [r for r in results if isinstance(r, Exception)] == []
    # Every increment counted, each caller saw a distinct count (no lost update).
    assert sorted(results) == list(range(1, THREADS + 1))
    assert Counter.objects.get(key="race-key").value == THREADS


def test_parallel_failed_sign_ins_lock_the_user_exactly_at_the_limit():
    from iamconsole.iam import lockout

    limit = lockout.limits().user_failures
    with time_machine.travel(datetime.fromtimestamp(T0, tz=UTC), tick=False):
        results = race(limit, lambda i: lockout.register_failure(
            lockout.PASSWORD, "bob", f"192.0.2.{i}"))
        assert [r for r in results if isinstance(r, Exception)] == []
        assert results.count(True) == 1  # the limit-th failure, whichever thread it was
        assert lockout.locked_until(lockout.PASSWORD, "bob", "198.51.100.1") is not None
