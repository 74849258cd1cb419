"""The decision API's speed: latency of one check and checks/s under gunicorn (2 workers).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iamconsole_bench \
        .venv/bin/python benchmarks/authorize.py [--requests 2000] [--clients 4] [--duration 8]

Sets up its own principals in DATABASE_URL (migrating first): the custom service `benchsvc`,
its service user `bench-authz-svc` (iamconsole:Authorize), and `bench-authz-user` with 10
policies. Starts `gunicorn -c gunicorn.conf.py iamconsole.wsgi` (production settings, 2 sync
workers) on 127.0.0.1 and measures, over keep-alive connections on loopback:

1. latency of a single check by principal ARN, sequential requests (p50/p95/p99);
2. latency of a single check whose principal is the end caller's SigV4-signed request
   (delegated verification);
3. throughput: --clients processes sending single-check calls back to back, then calls of
   100 checks each (checks/s), for --duration seconds each.

The service's own call is signed before the clock starts (a signature holds for 15 minutes,
so one signed request per distinct body is replayed). The load generator, PostgreSQL and the
server share the machine's CPUs: the figures are a floor.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import multiprocessing
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))

from load import (  # noqa: E402 (the path above)
    HTTPS,
    free_port,
    gunicorn_env,
    start_gunicorn,
    stop_gunicorn,
    wait_ready,
)

SERVICE = {"prefix": "benchsvc", "actions": [
    {"name": "GetThing", "access_level": "Read", "resource_types": ["thing"]},
    {"name": "PutThing", "access_level": "Write", "resource_types": ["thing"]}],
    "resource_types": [{"name": "thing", "arn": "arn:aws:benchsvc::${Account}:thing/${Id}"}]}


def setup() -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from iamconsole.iam import custom_services
    from iamconsole.iam import services as iam
    from iamconsole.iam.caller import Caller
    from iamconsole.iam.models import AccessKey, User

    system = Caller.system("benchmark")
    account = system.account
    if not custom_services.CustomService.objects.filter(prefix="benchsvc").exists():
        custom_services.put_custom_service(system, "benchsvc", actions=SERVICE["actions"],
                                           resource_types=SERVICE["resource_types"])

    def user(name: str, documents: list[dict]) -> tuple[str, str]:
        if not User.objects.filter(name=name).exists():
            iam.create_user(system, name)
            for i, doc in enumerate(documents):
                iam.put_user_policy(system, name, f"p{i}", json.dumps(doc))
        for key in AccessKey.objects.filter(user__name=name):
            iam.delete_access_key(system, key.access_key_id, name)
        new = iam.create_access_key(system, name)
        return new.access_key.access_key_id, new.secret_access_key

    svc = user("bench-authz-svc", [{"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "iamconsole:Authorize",
        "Resource": f"arn:aws:iamconsole::{account}:service/benchsvc"}]}])
    docs = [{"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["benchsvc:GetThing", "s3:GetObject"],
        "Resource": f"arn:aws:benchsvc::{account}:thing/t{i}*"}]} for i in range(10)]
    end = user("bench-authz-user", docs)
    return {"account": account, "svc": svc, "user": end,
            "arn": f"arn:aws:iam::{account}:user/bench-authz-user"}


def _signed_headers(port: int, body: bytes, creds: tuple[str, str], service: str,
                    path: str = "/api/v1/authorize/", method: str = "POST") -> dict[str, str]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=f"http://127.0.0.1:{port}{path}", data=body,
                         headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(*creds), service, "us-east-1").add_auth(request)
    return {**dict(request.headers.items()), "Host": f"127.0.0.1:{port}", **HTTPS}


def arn_checks(world: dict, count: int, seed: int = 0) -> list[dict]:
    return [{"action": "benchsvc:GetThing", "principal_arn": world["arn"],
             "resource": f"arn:aws:benchsvc::{world['account']}:thing/t{(seed + i) % 12}x"}
            for i in range(count)]


def signed_request_check(world: dict, port: int) -> dict:
    """The end caller's request to the protected service, signed by bench-authz-user."""
    headers = _signed_headers(port, b"", world["user"], "benchsvc", path="/things/t1x",
                              method="GET")
    return {"action": "benchsvc:GetThing",
            "resource": f"arn:aws:benchsvc::{world['account']}:thing/t1x",
            "request": {"method": "GET", "path": "/things/t1x", "query": "",
                        "headers": {k: v for k, v in headers.items()
                                    if k.lower() != "x-forwarded-proto"},
                        "payload_hash": hashlib.sha256(b"").hexdigest()}}


def prepared(world: dict, port: int, checks: list[dict]) -> tuple[bytes, dict]:
    body = json.dumps({"checks": checks}).encode()
    return body, _signed_headers(port, body, world["svc"], "iam")


def latency(port: int, calls: list[tuple[bytes, dict]], requests: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    times, failures = [], 0
    for i in range(requests):
        body, headers = calls[i % len(calls)]
        start = time.perf_counter()
        conn.request("POST", "/api/v1/authorize/", body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        times.append((time.perf_counter() - start) * 1000)
        if response.status != 200 or not json.loads(data)["results"][0]["allowed"]:
            failures += 1
    conn.close()
    if failures:
        print(f"  !! {failures} calls not allowed/200: {data[:300]!r}")
    return times


def _client(args) -> tuple[int, int, list[float]]:
    port, calls, duration, checks_per_call = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    done = errors = 0
    times = []
    deadline = time.monotonic() + duration
    i = 0
    while time.monotonic() < deadline and done < 1_000_000:
        body, headers = calls[i % len(calls)]
        i += 1
        start = time.perf_counter()
        conn.request("POST", "/api/v1/authorize/", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        times.append((time.perf_counter() - start) * 1000)
        if response.status == 200:
            done += checks_per_call
        else:
            errors += 1
    conn.close()
    return done, errors, times


def throughput(port: int, calls, clients: int, duration: float, per_call: int):
    with multiprocessing.Pool(clients) as pool:
        start = time.monotonic()
        results = pool.map(_client, [(port, calls, duration, per_call)] * clients)
        elapsed = time.monotonic() - start
    checks = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    times = sorted(t for r in results for t in r[2])
    return checks / elapsed, errors, times


def pct(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


P99_TARGET_MS = 5.0
RATE_TARGET = 1000


def _load() -> str:
    """The machine's load average: the figures mean little without it on a shared machine."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def _spread(times: list[float]) -> str:
    return (f"n={len(times)} p50 {pct(times, .5):.2f} ms  p95 {pct(times, .95):.2f} ms  "
            f"p99 {pct(times, .99):.2f} ms")


def _verdict(ok: bool, what: str, target: str) -> str:
    return f"[{'OK' if ok else 'MISSED'}: target {what} {target}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=8.0)
    args = parser.parse_args()
    world = setup()
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="iamconsole-authz-bench-")) / "gunicorn.log"
    server = start_gunicorn(gunicorn_env(port, args.workers, GUNICORN_ACCESSLOG="/dev/null"), log)
    try:
        wait_ready(port, server, log)
        print(f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}, "
              f"DB {os.environ.get('DATABASE_URL', 'sqlite')}; {_load()}")
        print(f"targets: single check p99 < {P99_TARGET_MS:g} ms on loopback; "
              f">= {RATE_TARGET:,} checks/s on {args.workers} workers (cached principals)")
        singles = [prepared(world, port, arn_checks(world, 1, seed)) for seed in range(10)]
        latency(port, singles, 200)  # warm up: every worker caches the principals
        times = latency(port, singles, args.requests)
        print(f"single check by ARN, sequential:        {_spread(times)}  "
              f"{_verdict(pct(times, .99) < P99_TARGET_MS, 'p99', f'< {P99_TARGET_MS:g} ms')}")
        delegated = [prepared(world, port, [signed_request_check(world, port)])]
        latency(port, delegated, 100)
        times = latency(port, delegated, args.requests)
        print(f"single check, delegated SigV4 verified: {_spread(times)}  "
              f"{_verdict(pct(times, .99) < P99_TARGET_MS, 'p99', f'< {P99_TARGET_MS:g} ms')}")
        rate, errors, times = throughput(port, singles, args.clients, args.duration, 1)
        print(f"checks/s, 1 check per call, {args.clients} clients:    {rate:6.0f} checks/s "
              f"(call p50 {pct(times, .5):.2f} ms, p99 {pct(times, .99):.2f} ms, "
              f"{errors} errors)  {_verdict(rate >= RATE_TARGET, 'rate', f'>= {RATE_TARGET:,}/s')}")
        batches = [prepared(world, port, arn_checks(world, 100, seed)) for seed in range(4)]
        rate, errors, times = throughput(port, batches, args.clients, args.duration, 100)
        print(f"checks/s, 100 checks per call, {args.clients} clients: {rate:6.0f} checks/s "
              f"(call p50 {pct(times, .5):.2f} ms, p99 {pct(times, .99):.2f} ms, "
              f"{errors} errors)  {_verdict(rate >= RATE_TARGET, 'rate', f'>= {RATE_TARGET:,}/s')}")
        print(f"after: {_load()}")
    finally:
        tracebacks = stop_gunicorn(server, log)
        if tracebacks:
            print(f"server errors: {len(tracebacks)} tracebacks in {log}")


if __name__ == "__main__":
    main()
