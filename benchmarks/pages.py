"""Console list/detail page server times and query counts on a seeded database (benchmarks/seed.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iamconsole_bench \
        .venv/bin/python benchmarks/pages.py [--requests 50]

Each page is requested through Django's test client (the whole server side: middleware, view,
domain layer, authorization, template), signed in as bench-admin, after a few warm-up requests.
Prints p50/p95 server time and the query count of one request. Pages the console does not serve
(404) print "not available". The last rows time authorization of bench-p50 (50 policies) through
the real authorizer: gathering the principal's policies from the database, then evaluating.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from iamconsole.iam import authz, reports, tenancy  # noqa: E402
from iamconsole.iam import identifiers as ids  # noqa: E402
from iamconsole.iam.caller import Caller  # noqa: E402
from iamconsole.iam.models import User  # noqa: E402

PAGES = [
    ("dashboard", "/"),
    ("users list", "/users/"),
    ("users list, page 100", "/users/?page=100"),
    ("users list, search", "/users/?q=user-0999"),
    ("groups list", "/groups/"),
    ("roles list", "/roles/"),
    ("policies list", "/policies/"),
    ("policies list, customer", "/policies/?scope=local"),
    ("user detail", "/users/bench-user-05000/"),
    ("user detail, 50 policies", "/users/bench-p50/"),
    ("group detail", "/groups/bench-group-0500/"),
    ("role detail", "/roles/bench-role-0500/"),
    ("policy detail", "/policies/local/bench-policy-02500/"),
    ("audit log", "/audit/"),
    ("users without MFA", "/users/?mfa=without"),
    ("locked-out users", "/locked-users/"),
    ("create user (guided)", "/users/create/guided/"),
    ("user sessions tab", "/users/bench-user-05000/?tab=sessions"),
    ("role sessions tab", "/roles/bench-role-0500/?tab=sessions"),
    ("credential report", "/credential-report/"),
    ("credential report, no MFA", "/credential-report/?no_mfa=on"),
]


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def measure(call: Callable[[], object], requests: int, warmup: int = 3) -> tuple[list[float], int]:
    for _ in range(warmup):
        call()
    with CaptureQueriesContext(connection) as queries:
        call()
    # Read now: the captured list is a view of the connection's log, which the next request
    # resets.
    query_count = len(queries)
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, query_count


def row(name: str, status: object, samples: list[float] | None, queries: int | str) -> str:
    if not samples:
        return f"| {name:<28} | {status!s:>6} | {'not available':>13} | {'':>8} | {'':>7} |"
    return (f"| {name:<28} | {status!s:>6} | {statistics.median(samples):>10.1f} ms "
            f"| {percentile(samples, 95):>5.1f} ms | {queries!s:>7} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    args = parser.parse_args()

    admin = User.objects.filter(name="bench-admin").first()
    if admin is None:
        sys.exit("no bench-admin: run benchmarks/seed.py against this DATABASE_URL first")
    db = connection.settings_dict
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}; "
          f"{User.objects.count():,} users; {args.requests} requests per row")
    client = Client()
    client.force_login(admin)
    with tenancy.acting_in(admin.account_id):  # the report pages read a generated report
        reports.generate_credential_report(Caller.system("benchmark"))

    print("| page                         | status |    p50        |   p95    | queries |")
    print("|------------------------------|--------|---------------|----------|---------|")
    for name, url in PAGES:
        status = client.get(url).status_code
        if status in (404, 405):
            print(row(name, status, None, ""))
            continue
        samples, queries = measure(lambda url=url: client.get(url), args.requests)
        print(row(name, status, samples, queries), flush=True)

    p50 = User.objects.get(name="bench-p50")
    bucket = "arn:aws:s3:::bucket-7/reports/q1.csv"
    table = f"arn:aws:dynamodb:us-east-1:{ids.account_id()}:table/orders"

    def authorize(action: str, resource: str) -> Callable[[], object]:
        # A fresh Caller per call: nothing cached between requests, as for a new API request.
        return lambda: authz.decide(Caller(user=User.objects.get(pk=p50.pk), auth_method="api"),
                                    action, resource)

    for name, action, resource in [("authorize p50: s3:GetObject", "s3:GetObject", bucket),
                                   ("authorize p50: dynamodb:Query", "dynamodb:Query", table)]:
        decision = authorize(action, resource)()
        samples, queries = measure(authorize(action, resource), args.requests * 4)
        print(row(name, getattr(decision, "decision", "?")[:6], samples, queries))


if __name__ == "__main__":
    main()
