"""Benchmark "who can": 1,000 users and 200 roles with 5,000 managed policies (plus group and
inline policies), asked who may perform one action on one resource.

Run: ``python benchmarks/who_can.py [--repeat N]``. Uses its own throwaway SQLite database
(/tmp/iamconsole-bench-who-can.sqlite3), filled with bulk inserts (the data, not the domain
operations, is what is measured). Prints the domain call cold (empty compile caches) and warm,
the number of SQL queries, and the page's server time (Django test client). Target: < 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from urllib.parse import urlencode

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DB = "/tmp/iamconsole-bench-who-can.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")

SERVICES = ["s3", "ec2", "dynamodb", "sqs", "sns", "lambda", "kms", "logs", "iam", "rds"]
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


def setup_database() -> None:
    import django

    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(DB + suffix):
            os.remove(DB + suffix)
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)


def policy_doc(rng: random.Random, actions: dict[str, list[str]]) -> str:
    statements = []
    for i in range(rng.randint(1, 4)):
        svc = rng.choice(SERVICES)
        acts = rng.sample(actions[svc], 4)
        if rng.random() < 0.2:
            acts.append(f"{svc}:Get*")
        st = {"Sid": f"S{i}", "Effect": "Deny" if rng.random() < 0.05 else "Allow",
              "Action": acts,
              "Resource": f"arn:aws:s3:::bucket-{rng.randrange(50)}/*" if svc == "s3"
              and rng.random() < 0.8 else "*"}
        if rng.random() < 0.3:
            st["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": rng.choice(
                ["red", "blue", "green"])}}
        statements.append(st)
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)


def build(rng: random.Random, users: int, roles: int, policies: int) -> None:
    from iamconsole.iam import models as m
    from iamconsole.policy import catalog

    actions = {s: catalog.actions_for_service(s)[:60] for s in SERVICES}
    managed = m.ManagedPolicy.objects.bulk_create(
        [m.ManagedPolicy(name=f"policy-{i:05d}") for i in range(policies)], batch_size=500)
    m.PolicyVersion.objects.bulk_create(
        [m.PolicyVersion(policy=p, number=1, is_default=True, document=policy_doc(rng, actions))
         for p in managed], batch_size=500)
    boundaries = managed[:5]
    people = m.User.objects.bulk_create([
        m.User(name=f"user-{i:04d}", password="!", tags={"team": rng.choice(["red", "blue"])},
               permissions_boundary=rng.choice(boundaries) if rng.random() < 0.05 else None)
        for i in range(users)], batch_size=500)
    m.UserPolicyAttachment.objects.bulk_create([
        m.UserPolicyAttachment(user=u, policy=p)
        for u in people for p in rng.sample(managed, 5)], batch_size=1000)
    m.UserInlinePolicy.objects.bulk_create([
        m.UserInlinePolicy(user=u, name="inline", document=policy_doc(rng, actions))
        for u in people if rng.random() < 0.3], batch_size=500)
    groups = m.Group.objects.bulk_create([m.Group(name=f"group-{i:02d}") for i in range(50)])
    m.GroupInlinePolicy.objects.bulk_create([
        m.GroupInlinePolicy(group=g, name=f"g{k}", document=policy_doc(rng, actions))
        for g in groups for k in range(3)])
    m.GroupPolicyAttachment.objects.bulk_create([
        m.GroupPolicyAttachment(group=g, policy=p) for g in groups
        for p in rng.sample(managed, 2)])
    through = m.Group.members.through
    through.objects.bulk_create([
        through(user_id=u.pk, group_id=g.pk) for u in people for g in rng.sample(groups, 2)],
        batch_size=1000)
    services = m.Role.objects.bulk_create([
        m.Role(name=f"role-{i:03d}", assume_role_policy_document=TRUST) for i in range(roles)])
    m.RolePolicyAttachment.objects.bulk_create([
        m.RolePolicyAttachment(role=r, policy=p) for r in services
        for p in rng.sample(managed, 3)], batch_size=1000)
    m.RoleInlinePolicy.objects.bulk_create([
        m.RoleInlinePolicy(role=r, name="inline", document=policy_doc(rng, actions))
        for r in services])
    operator = m.User.objects.create_user("operator", "Correct-Horse-9!")
    m.UserInlinePolicy.objects.create(user=operator, name="admin", document=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                 "Resource": "*"}]}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--roles", type=int, default=200)
    parser.add_argument("--policies", type=int, default=5000)
    args = parser.parse_args()
    setup_database()

    from django.db import connection
    from django.test import Client

    from iamconsole.iam import simulation
    from iamconsole.iam.caller import Caller
    from iamconsole.iam.models import (
        GroupInlinePolicy,
        ManagedPolicy,
        RoleInlinePolicy,
        User,
        UserInlinePolicy,
    )
    from iamconsole.policy import clear_cache

    rng = random.Random(args.seed)
    start = time.perf_counter()
    build(rng, args.users, args.roles, args.policies)
    built = time.perf_counter() - start
    operator = User.objects.get(name="operator")
    caller = Caller(user=operator)
    documents = (ManagedPolicy.objects.count() + UserInlinePolicy.objects.count()
                 + GroupInlinePolicy.objects.count() + RoleInlinePolicy.objects.count())

    questions = [("s3:GetObject", "arn:aws:s3:::bucket-7/report.csv"),
                 ("ec2:DescribeInstances", "*"),
                 ("iam:CreateUser", "arn:aws:iam::123456789012:user/x")]
    print(f"Who can: {args.users} users + 1 operator, {args.roles} roles, 50 groups, "
          f"{args.policies} managed policies ({documents} policy documents in all); "
          f"data built in {built:.1f} s")
    print(f"{'question':56} {'allowed':>7} {'queries':>7} {'cold ms':>8} {'warm ms':>8} "
          f"{'page ms':>8}")
    client = Client()
    client.force_login(operator)
    worst = 0.0
    for action, resource in questions:
        simulation._COMPILED.clear()
        clear_cache()
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            t = time.perf_counter()
            rows = simulation.who_can(caller, action, resource)
            cold = (time.perf_counter() - t) * 1000
        warm = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            simulation.who_can(caller, action, resource)
            warm.append((time.perf_counter() - t) * 1000)
        page = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            response = client.get("/simulator/who-can/?" + urlencode(
                {"run": "1", "action": action, "resource": resource}))
            page.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        worst = max(worst, cold, statistics.median(page))
        print(f"{action + ' on ' + resource:56} {len(rows):7} {len(queries):7} {cold:8.0f} "
              f"{statistics.median(warm):8.0f} {statistics.median(page):8.0f}")
    print(f"target < 2000 ms (cold domain call and page): "
          f"{'met' if worst < 2000 else 'NOT met'} (worst {worst:.0f} ms)")


if __name__ == "__main__":
    main()
