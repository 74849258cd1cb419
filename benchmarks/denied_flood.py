"""Allowed-call throughput with and without a concurrent flood of denied calls, each of which
writes an audit event (CloudTrail's record of an AccessDenied).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iamconsole_bench \
        .venv/bin/python benchmarks/denied_flood.py [--workers 2] [--clients 4] \
        [--flood-clients 4] [--duration 10]

Seed the database with benchmarks/seed.py first. Starts gunicorn as benchmarks/load.py does
(production settings, API rate limit lifted), gives bench-admin a fresh access key and a user
with no policies (bench-nobody) one, then measures with wrk:

1. allowed: signed Query API GetUser by bench-admin, alone;
2. the same while bench-nobody floods signed GetUser calls, each answered 403 AccessDenied
   and audited (one INSERT);
3. for comparison, the same allowed load under a flood of allowed GetUser calls by a second
   admin key: what any concurrent load of that size costs, audit or not.

Prints req/s for each, the flood's own rate and the audit rows it wrote. On a shared machine
the allowed client loses CPU to any concurrent load; the question is whether a denied flood
costs it more than an allowed one of the same size (row 2 against row 3).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # benchmarks/load.py: gunicorn start, signing, wrk runs

GET_USER = urlencode({"Action": "GetUser", "Version": "2010-05-08",
                      "UserName": "bench-user-05000"})


def keys() -> tuple[tuple[str, str], tuple[str, str], tuple[str, str]]:
    """(bench-admin key, second bench-admin key, bench-nobody key)."""
    admin = load.fresh_access_key()
    from iamconsole.iam import services as iam
    from iamconsole.iam.caller import Caller
    from iamconsole.iam.models import AccessKey, User

    system = Caller.system("benchmark")
    second = iam.create_access_key(system, "bench-admin")
    if not User.objects.filter(name="bench-nobody").exists():
        iam.create_user(system, "bench-nobody")
    for key in AccessKey.objects.filter(user__name="bench-nobody"):
        iam.delete_access_key(system, key.access_key_id, "bench-nobody")
    nobody = iam.create_access_key(system, "bench-nobody")
    return (admin, (second.access_key.access_key_id, second.secret_access_key),
            (nobody.access_key.access_key_id, nobody.secret_access_key))


def denied_events() -> int:
    from iamconsole.iam.models import AuditEvent

    return AuditEvent.objects.filter(actor="bench-nobody", outcome="denied").count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4, help="allowed-call connections")
    parser.add_argument("--flood-clients", type=int, default=4, help="flood connections")
    parser.add_argument("--duration", type=float, default=10)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to the seeded database")
    if not shutil.which("wrk"):
        sys.exit("needs wrk (apt-get install wrk)")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    admin, second, nobody = keys()
    from botocore.credentials import Credentials

    port = load.free_port()
    log = Path(tempfile.mkstemp(prefix="iamconsole-flood-", suffix=".log")[1])
    server = load.start_gunicorn(load.gunicorn_env(
        port, args.workers, GUNICORN_ACCESSLOG=os.environ.get("GUNICORN_ACCESSLOG", os.devnull)),
        log)

    def run(creds: tuple[str, str], clients: int) -> tuple[int, int, float, float, float]:
        return load.wrk_run(port, "POST", "/aws/iam/", GET_USER, True, Credentials(*creds),
                            clients, args.duration)

    def with_flood(flood_creds: tuple[str, str]):
        result: dict[str, tuple] = {}
        thread = threading.Thread(
            target=lambda: result.setdefault("flood", run(flood_creds, args.flood_clients)))
        thread.start()
        allowed = run(admin, args.clients)
        thread.join()
        return allowed, result["flood"]

    try:
        load.wait_ready(port, server, log)
        for creds in (admin, nobody):
            run(creds, 1)  # warm up workers and compiled policies
        print(f"gunicorn: {args.workers} workers; wrk: {args.clients} allowed + "
              f"{args.flood_clients} flood connections; {args.duration:g} s each; "
              f"{os.cpu_count()} CPUs shared by server, PostgreSQL and wrk")
        print("| allowed Query API GetUser            | allowed req/s | p95 ms | "
              "flood req/s | flood answers       |")
        print("|--------------------------------------|---------------|--------|"
              "-------------|---------------------|")
        alone = run(admin, args.clients)
        print(f"| alone                                | {alone[0] / alone[4]:>13.0f} | "
              f"{alone[3]:>6.1f} |           - | -                   |", flush=True)
        before = denied_events()
        allowed, flood = with_flood(nobody)
        written = denied_events() - before
        print(f"| + denied flood (403, audited)        | {allowed[0] / allowed[4]:>13.0f} | "
              f"{allowed[3]:>6.1f} | {flood[0] / flood[4]:>11.0f} | "
              f"{flood[1]} non-2xx, {written} audited |", flush=True)
        allowed, flood = with_flood(second)
        print(f"| + allowed flood (200, not audited)   | {allowed[0] / allowed[4]:>13.0f} | "
              f"{allowed[3]:>6.1f} | {flood[0] / flood[4]:>11.0f} | "
              f"{flood[1]} non-2xx |", flush=True)
    finally:
        tracebacks = load.stop_gunicorn(server, log)
    print(f"server log has {len(tracebacks)} tracebacks: {log}" if tracebacks else "", end="")
    if not tracebacks:
        log.unlink()


if __name__ == "__main__":
    main()
