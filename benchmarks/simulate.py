"""Benchmark the policy simulator: 100 actions × 10 resources against a user with 20 policies
(5 inline, 5 attached managed, 2 groups with 5 inline each: 45 statements), half of them
with conditions.

Run: ``python benchmarks/simulate.py [--repeat N]``. Uses its own throwaway SQLite database
(/tmp/iamconsole-bench-simulate.sqlite3) and prints server times (Django test client, i.e.
routing, middleware, session, the domain call and rendering; no network). Target: < 150 ms
for the page run.
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
DB = "/tmp/iamconsole-bench-simulate.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")

SERVICES = ["s3", "ec2", "dynamodb", "sqs", "sns", "lambda", "kms", "logs"]


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


def statement(rng: random.Random, n: int, actions: list[str]) -> dict:
    chosen = rng.sample(actions, 5)
    st = {"Sid": f"S{n}", "Effect": "Deny" if rng.random() < 0.1 else "Allow",
          "Action": [*chosen, f"{rng.choice(SERVICES)}:List*"],
          "Resource": [f"arn:aws:s3:::bucket-{rng.randrange(10)}/*", "arn:aws:ec2:*:*:instance/*"]
          if rng.random() < 0.7 else "*"}
    if rng.random() < 0.5:
        st["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": rng.choice(["red", "blue"])},
                           "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    return st


def build(rng: random.Random, actions: list[str]):
    from iamconsole.iam import services as iam
    from iamconsole.iam.caller import Caller

    system = Caller.system("bench")

    def doc(k: int, statements: int) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [
            statement(rng, k * 10 + i, actions) for i in range(statements)]}, indent=2)

    iam.create_user(system, "subject", tags=[{"Key": "team", "Value": "red"}])
    for i in range(5):
        iam.put_user_policy(system, "subject", f"inline-{i}", doc(i, 1))  # 2,048-char quota
    for i in range(5):
        policy = iam.create_policy(system, f"managed-{i}", doc(10 + i, 4))
        iam.attach_user_policy(system, "subject", policy.arn)
    for g in range(2):
        iam.create_group(system, f"group-{g}")
        iam.add_user_to_group(system, f"group-{g}", "subject")
        for i in range(5):
            iam.put_group_policy(system, f"group-{g}", f"gp-{i}", doc(20 + g * 5 + i, 2))
    iam.create_user(system, "operator")
    iam.put_user_policy(system, "operator", "admin", json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                 "Resource": "*"}]}))
    iam.create_login_profile(system, "operator", "Correct-Horse-9!")


def timed(fn, repeat: int) -> tuple[float, float, object]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return min(samples), statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup_database()

    from django.test import Client

    from iamconsole.iam import simulation
    from iamconsole.iam.caller import Caller
    from iamconsole.iam.models import User
    from iamconsole.policy import catalog

    rng = random.Random(args.seed)
    actions = [a for s in SERVICES for a in catalog.actions_for_service(s)[:40]]
    build(rng, actions)
    chosen = rng.sample(actions, 100)
    resources = [f"arn:aws:s3:::bucket-{i}/key-{i}" for i in range(5)] + [
        f"arn:aws:ec2:us-east-1:123456789012:instance/i-{i:08d}" for i in range(5)]
    subject = User.objects.get(name="subject")
    operator = User.objects.get(name="operator")
    caller = Caller(user=operator)
    entries = [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"],
                "ContextKeyType": "ip"}]

    domain = timed(lambda: simulation.simulate_principal_policy(
        caller, subject.arn, chosen, resource_arns=resources, context_entries=entries),
        args.repeat)
    results = domain[2]
    counts = {d: sum(r.eval_decision == d for r in results)
              for d in ("allowed", "explicitDeny", "implicitDeny")}

    client = Client()
    client.force_login(operator)
    query = {"run": "1", "principal": subject.arn, "actions": "\n".join(chosen),
             "resources": "\n".join(resources), "ctx_key": "aws:SourceIp", "ctx_type": "ip",
             "ctx_values": "10.1.2.3"}

    def get(**extra):
        response = client.get("/simulator/?" + urlencode({**query, **extra}), **(
            {"HTTP_HX_REQUEST": "true"} if extra.pop("htmx", False) else {}))
        assert response.status_code == 200, response.status_code
        return response

    page = timed(lambda: get(), args.repeat)
    fragment = timed(lambda: client.get("/simulator/?" + urlencode(query),
                                        HTTP_HX_REQUEST="true"), args.repeat)
    export_json = timed(lambda: get(format="json"), args.repeat)
    export_csv = timed(lambda: get(format="csv"), args.repeat)

    print(f"Simulation: 1 user with 20 policies (45 statements), {len(chosen)} actions × "
          f"{len(resources)} resources = {len(results)} results "
          f"({counts['allowed']} allowed, {counts['explicitDeny']} explicitDeny, "
          f"{counts['implicitDeny']} implicitDeny); {args.repeat} runs each")
    print(f"{'what':42} {'min ms':>9} {'median ms':>10}")
    for label, (best, median, _) in [
        ("domain: simulate_principal_policy()", domain),
        ("GET /simulator/ (full page)", page),
        ("GET /simulator/ (htmx fragment)", fragment),
        ("GET /simulator/?format=json", export_json),
        ("GET /simulator/?format=csv", export_csv),
    ]:
        print(f"{label:42} {best:9.1f} {median:10.1f}")
    print(f"page size: {len(page[2].content) / 1024:.0f} KiB; target for the page run: "
          f"< 150 ms -> {'met' if fragment[1] < 150 else 'NOT met'} (htmx median)")


if __name__ == "__main__":
    main()
