"""Seed a benchmark-sized account into the database named by DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iamconsole_bench \
        .venv/bin/python benchmarks/seed.py [--users 10000 --groups 1000 --policies 5000]

Creates (all names start with "bench-"): users (10% with a console password, 30% with an access
key, 10% with an inline policy, tags on half), groups with 0-3 memberships per user, customer
managed policies (10% with several versions) attached to users, groups and roles, and roles.
Plus two principals the other scripts use:
  bench-admin  allowed everything (inline policy), password BENCH_PASSWORD below
  bench-p50    50 managed policies: 10 attached directly + 4 groups × 10 attached
The bulk rows go straight in with bulk_create (a benchmark fixture, not product code); the two
principals go through the domain layer. Migrates first. --reset removes earlier bench-* data.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from iamconsole.iam import crypto  # noqa: E402
from iamconsole.iam import identifiers as ids  # noqa: E402
from iamconsole.iam import services as iam  # noqa: E402
from iamconsole.iam.caller import Caller  # noqa: E402
from iamconsole.iam.models import (  # noqa: E402
    AccessKey,
    Group,
    GroupPolicyAttachment,
    ManagedPolicy,
    PolicyVersion,
    Role,
    RolePolicyAttachment,
    User,
    UserInlinePolicy,
    UserPolicyAttachment,
)

BENCH_PASSWORD = "Bench-Horse-Battery-9!"
PREFIX = "bench-"
PATHS = ["/", "/", "/engineering/", "/sales/", "/ops/", "/engineering/platform/"]
TEAMS = ["red", "blue", "green", "ops"]
SERVICES = {
    "s3": ["GetObject", "PutObject", "ListBucket", "DeleteObject"],
    "ec2": ["DescribeInstances", "StartInstances", "StopInstances"],
    "dynamodb": ["GetItem", "PutItem", "Query", "Scan"],
    "sqs": ["SendMessage", "ReceiveMessage", "DeleteMessage"],
    "logs": ["CreateLogStream", "PutLogEvents", "GetLogEvents"],
}
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
}]})
BATCH = 2000


def policy_document(rng: random.Random, n: int) -> str:
    statements = []
    for index in range(rng.randint(1, 5)):
        service = rng.choice(list(SERVICES))
        actions = [f"{service}:{a}" for a in rng.sample(SERVICES[service], rng.randint(1, 3))]
        resource = (f"arn:aws:s3:::bucket-{n % 97}/*" if service == "s3"
                    else f"arn:aws:{service}:us-east-1:{ids.account_id()}:*")
        statement = {"Sid": f"S{index}", "Effect": "Deny" if rng.random() < 0.1 else "Allow",
                     "Action": actions, "Resource": resource}
        if rng.random() < 0.3:
            statement["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": rng.choice(TEAMS)}}
        statements.append(statement)
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def step(self, label: str, count: int) -> None:
        now = time.perf_counter()
        print(f"  {label:<28} {count:>8,}  {now - self.start:6.2f} s", flush=True)
        self.start = now


def reset() -> None:
    with transaction.atomic():
        for model, field in [(UserPolicyAttachment, "user__name"),
                             (GroupPolicyAttachment, "group__name"),
                             (RolePolicyAttachment, "role__name")]:
            model.objects.filter(**{f"{field}__startswith": PREFIX}).delete()
        User.objects.filter(name__startswith=PREFIX).update(permissions_boundary=None)
        User.objects.filter(name__startswith=PREFIX).delete()
        Group.objects.filter(name__startswith=PREFIX).delete()
        Role.objects.filter(name__startswith=PREFIX).delete()
        ManagedPolicy.objects.filter(name__startswith=PREFIX).delete()


def seed(users: int, groups: int, policies: int, roles: int, seed_value: int) -> None:
    rng = random.Random(seed_value)
    now = timezone.now()
    timer = Timer()
    # One argon2 hash for every seeded console password: hashing 1,000 passwords would measure
    # argon2, not the seeding.
    password_hash = make_password(BENCH_PASSWORD)

    with transaction.atomic():
        user_rows = []
        for i in range(users):
            has_password = rng.random() < 0.10
            created = now - timedelta(days=rng.randint(0, 1500))
            user_rows.append(User(
                name=f"{PREFIX}user-{i:05d}", path=rng.choice(PATHS), created_at=created,
                tags={"team": rng.choice(TEAMS), "cost-center": str(rng.randint(100, 999))}
                if i % 2 else {},
                password=password_hash if has_password else make_password(None),
                login_profile_created_at=created if has_password else None,
                password_changed_at=created if has_password else None,
                password_last_used=(now - timedelta(days=rng.randint(0, 200)))
                if has_password and rng.random() < 0.7 else None,
            ))
        User.objects.bulk_create(user_rows, batch_size=BATCH)
        user_ids = list(User.objects.filter(name__startswith=f"{PREFIX}user-")
                        .values_list("pk", flat=True))
        timer.step("users", len(user_ids))

        Group.objects.bulk_create(
            [Group(name=f"{PREFIX}group-{i:04d}", path=rng.choice(PATHS)) for i in range(groups)],
            batch_size=BATCH,
        )
        group_ids = list(Group.objects.filter(name__startswith=f"{PREFIX}group-")
                         .values_list("pk", flat=True))
        timer.step("groups", len(group_ids))

        membership = Group.members.through
        members = [membership(group_id=g, user_id=u) for u in user_ids
                   for g in rng.sample(group_ids, min(len(group_ids), rng.randint(0, 3)))]
        membership.objects.bulk_create(members, batch_size=BATCH)
        timer.step("group memberships", len(members))

        ManagedPolicy.objects.bulk_create(
            [ManagedPolicy(name=f"{PREFIX}policy-{i:05d}", path=rng.choice(PATHS),
                           description=f"Benchmark policy {i}", created_at=now, updated_at=now)
             for i in range(policies)],
            batch_size=BATCH,
        )
        policy_ids = list(ManagedPolicy.objects.filter(name__startswith=f"{PREFIX}policy-")
                          .values_list("pk", flat=True))
        versions, next_numbers = [], {}
        for n, pk in enumerate(policy_ids):
            count = rng.randint(2, 3) if rng.random() < 0.10 else 1
            default = rng.randint(1, count)
            versions += [PolicyVersion(policy_id=pk, number=v, is_default=v == default,
                                       document=policy_document(rng, n)) for v in
                         range(1, count + 1)]
            next_numbers[pk] = count + 1
        PolicyVersion.objects.bulk_create(versions, batch_size=BATCH)
        for count in set(next_numbers.values()):
            ManagedPolicy.objects.filter(
                pk__in=[pk for pk, c in next_numbers.items() if c == count]
            ).update(next_version_number=count)
        timer.step("policies (versions)", len(versions))

        Role.objects.bulk_create(
            [Role(name=f"{PREFIX}role-{i:04d}", path=rng.choice(PATHS), created_at=now,
                  assume_role_policy_document=TRUST, description=f"Benchmark role {i}",
                  tags={"team": rng.choice(TEAMS)} if i % 3 == 0 else {})
             for i in range(roles)],
            batch_size=BATCH,
        )
        role_ids = list(Role.objects.filter(name__startswith=f"{PREFIX}role-")
                        .values_list("pk", flat=True))
        timer.step("roles", len(role_ids))

        def attach(model, field: str, owner_ids: list[int], low: int, high: int) -> int:
            rows = [model(**{f"{field}_id": owner, "policy_id": policy})
                    for owner in owner_ids
                    for policy in rng.sample(policy_ids, min(len(policy_ids),
                                                             rng.randint(low, high)))]
            model.objects.bulk_create(rows, batch_size=BATCH)
            return len(rows)

        attached = (attach(UserPolicyAttachment, "user", user_ids, 0, 3)
                    + attach(GroupPolicyAttachment, "group", group_ids, 1, 5)
                    + attach(RolePolicyAttachment, "role", role_ids, 1, 3))
        timer.step("policy attachments", attached)

        keys = [AccessKey(access_key_id=ids.new_access_key_id("AKIA"), user_id=u,
                          secret_encrypted=crypto.encrypt(ids.new_secret_access_key()),
                          created_at=now - timedelta(days=rng.randint(0, 400)),
                          status="Inactive" if rng.random() < 0.1 else "Active")
                for u in user_ids if rng.random() < 0.30]
        AccessKey.objects.bulk_create(keys, batch_size=BATCH)
        timer.step("access keys", len(keys))

        inline = [UserInlinePolicy(user_id=u, name="inline", document=policy_document(rng, u))
                  for u in user_ids if rng.random() < 0.10]
        UserInlinePolicy.objects.bulk_create(inline, batch_size=BATCH)
        timer.step("inline policies", len(inline))

    seed_principals(rng)
    timer.step("bench-admin, bench-p50", 2)


def seed_principals(rng: random.Random) -> None:
    """Through the domain layer: these two must be exactly what the product would create."""
    system = Caller.system("benchmark seed")
    admin = iam.create_user(system, f"{PREFIX}admin")
    iam.put_user_policy(system, admin.name, "admin", json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                "Resource": "*"}]}))
    iam.create_login_profile(system, admin.name, BENCH_PASSWORD)

    p50 = iam.create_user(system, f"{PREFIX}p50", tags={"team": "red"})
    names = [f"{PREFIX}p50-policy-{i:02d}" for i in range(50)]
    arns = [iam.create_policy(system, name, policy_document(rng, i)).arn
            for i, name in enumerate(names)]
    for arn in arns[:10]:
        iam.attach_user_policy(system, p50.name, arn)
    for g in range(4):
        group = iam.create_group(system, f"{PREFIX}p50-group-{g}")
        iam.add_user_to_group(system, group.name, p50.name)
        for arn in arns[10 + 10 * g: 20 + 10 * g]:
            iam.attach_group_policy(system, group.name, arn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=1_000)
    parser.add_argument("--policies", type=int, default=5_000)
    parser.add_argument("--roles", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=42, help="random seed (reproducible data)")
    parser.add_argument("--reset", action="store_true", help="delete earlier bench-* data first")
    args = parser.parse_args()

    db = connection.settings_dict
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    call_command("migrate", verbosity=0)
    existing = User.objects.filter(name__startswith=PREFIX).count()
    if existing:
        if not args.reset:
            sys.exit(f"{existing} bench-* users exist already: add --reset to replace them")
        reset()
    started = time.perf_counter()
    seed(args.users, args.groups, args.policies, args.roles, args.seed)
    # Fresh planner statistics: without them PostgreSQL plans for the empty tables it last saw
    # (sequential scans and sorts instead of the name indexes) until autovacuum catches up.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.1f} s: {User.objects.count():,} users, "
          f"{Group.objects.count():,} groups, {ManagedPolicy.objects.count():,} policies, "
          f"{Role.objects.count():,} roles")


if __name__ == "__main__":
    main()
