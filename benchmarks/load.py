"""Requests per second under gunicorn (production settings, 2 workers) on a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iamconsole_bench \
        .venv/bin/python benchmarks/load.py [--workers 2] [--clients 4] [--duration 10]

Starts `gunicorn -c gunicorn.conf.py iamconsole.wsgi` on 127.0.0.1:<free port> against
DATABASE_URL (seed it with benchmarks/seed.py first), gives bench-admin a fresh access key, then
drives each scenario with a load generator on loopback:

- `--generator wrk` (default when wrk is installed: `apt-get install wrk`): --clients
  connections. Each API request is SigV4-signed once with botocore and replayed (a signature is
  valid for 15 minutes; AWS accepts replays too), so the generator costs almost no CPU.
- `--generator python`: --clients processes, each sending requests back to back and signing
  every request with botocore (a new connection per request). Costs the server's CPUs much more.

Each scenario is bounded by --duration seconds (and --max-requests for the Python generator).
The API rate limit is lifted (API_RATE_LIMIT) to measure capacity, not the limiter. Prints
requests/s, p50/p95 latency, the count of non-2xx answers and the workers' CPU per request.

The load generator and PostgreSQL share the machine's CPUs with the server: on a 2-CPU machine
the figures are a floor for what 2 workers do on their own cores.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")

HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating load balancer adds


def scenarios(port: int) -> list[tuple[str, str, str, str | None, bool]]:
    """(name, method, path, form body, signed)."""
    return [
        ("GET /healthz", "GET", "/healthz", None, False),
        ("REST GET /api/v1/users/?limit=50", "GET", "/api/v1/users/?limit=50", None, True),
        ("REST GET /api/v1/users/<name>/", "GET", "/api/v1/users/bench-user-05000/", None, True),
        ("Query API ListUsers (MaxItems 50)", "POST", "/aws/iam/",
         urlencode({"Action": "ListUsers", "Version": "2010-05-08", "MaxItems": "50"}), True),
        ("Query API GetUser", "POST", "/aws/iam/",
         urlencode({"Action": "GetUser", "Version": "2010-05-08",
                    "UserName": "bench-user-05000"}), True),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_access_key() -> tuple[str, str]:
    import django

    django.setup()
    from iamconsole.iam import services as iam
    from iamconsole.iam.caller import Caller
    from iamconsole.iam.models import AccessKey, User

    if not User.objects.filter(name="bench-admin").exists():
        sys.exit("no bench-admin: run benchmarks/seed.py against this DATABASE_URL first")
    system = Caller.system("benchmark")
    for key in AccessKey.objects.filter(user__name="bench-admin"):
        iam.delete_access_key(system, key.access_key_id, "bench-admin")
    new = iam.create_access_key(system, "bench-admin")
    return new.access_key.access_key_id, new.secret_access_key


def _headers(port: int, method: str, path: str, body: str | None, signed: bool,
             creds) -> dict[str, str]:
    headers = dict(HTTPS)
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    if not signed:
        headers["Host"] = f"127.0.0.1:{port}"
        return headers
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    request = AWSRequest(method=method, url=f"http://127.0.0.1:{port}{path}", data=body or "",
                         headers=headers)
    SigV4Auth(creds, "iam", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def client(args) -> tuple[list[float], int, str]:
    """One load-generating process: (latencies ms, non-2xx count, first non-2xx answer)."""
    port, method, path, body, signed, key_id, secret, deadline, budget = args
    from botocore.credentials import Credentials

    creds = Credentials(key_id, secret)
    latencies, bad, first_bad = [], 0, ""
    while time.time() < deadline and len(latencies) < budget:
        headers = _headers(port, method, path, body, signed, creds)  # signed per request
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
            if not 200 <= response.status < 300:
                bad += 1
                first_bad = first_bad or f"{response.status} {content[:200]!r}"
        except OSError as exc:
            bad += 1
            first_bad = first_bad or repr(exc)
        finally:
            conn.close()
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies, bad, first_bad


WRK_SCRIPT = """
wrk.method = %(method)s
wrk.body = %(body)s
%(headers)s
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%.3f %%.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrk_run(port: int, method: str, path: str, body: str | None, signed: bool, creds,
            connections: int, duration: float) -> tuple[int, int, float, float, float]:
    """(requests, non-2xx answers or socket errors, p50 ms, p95 ms, elapsed s) with wrk."""
    headers = _headers(port, method, path, body, signed, creds)
    headers.pop("Host", None)  # wrk sends Host itself
    lines = "\n".join(f"wrk.headers[{_lua(k)}] = {_lua(v)}" for k, v in headers.items())
    script = Path(tempfile.mkstemp(prefix="iamconsole-wrk-", suffix=".lua")[1])
    script.write_text(WRK_SCRIPT % {"method": _lua(method), "body": _lua(body or ""),
                                    "headers": lines})
    try:
        started = time.perf_counter()
        out = subprocess.run(
            ["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration:g}s", "--latency",
             "-s", str(script), f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, check=True, timeout=duration + 60,
        ).stdout
        elapsed = time.perf_counter() - started
    finally:
        script.unlink()
    match = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+)", out)
    if match is None:
        sys.exit(f"wrk printed no result:\n{out}")
    requests, bad = int(match[1]), int(match[2])
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    elapsed = requests / float(rps[1]) if rps and float(rps[1]) else elapsed
    return requests, bad, float(match[3]), float(match[4]), elapsed


def cpu_seconds(master_pid: int) -> tuple[float, float]:
    """(gunicorn workers, PostgreSQL server processes on this machine): user+system CPU seconds
    from Linux /proc (0 elsewhere). CPU per request does not depend on how busy the machine is,
    unlike requests/s."""
    workers = database = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, fields = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = fields.split()
        seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        if int(fields[1]) == master_pid:  # ppid
            workers += seconds
        elif name.endswith("(postgres"):
            database += seconds
    return workers, database


def wait_ready(port: int, process: subprocess.Popen, log: Path) -> None:
    """Until /healthz answers 200: the socket is bound before the workers have loaded the app."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited:\n{log.read_text()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz", headers={**HTTPS, "Host": f"127.0.0.1:{port}"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"gunicorn did not become healthy:\n{log.read_text()}")


def gunicorn_env(port: int, workers: int, **extra: str) -> dict[str, str]:
    """Production settings for a measured gunicorn on 127.0.0.1:`port`: the API's capacity, not
    its rate limiter; no worker recycling mid-measurement; `extra` overrides."""
    return {
        **os.environ,
        "IAMCONSOLE_ENV": "production",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "API_RATE_LIMIT": "1000000/second",
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_ACCESSLOG": os.environ.get("GUNICORN_ACCESSLOG", "-"),
        "STATIC_ROOT": tempfile.mkdtemp(prefix="iamconsole-static-"),
        **extra,
    }


def start_gunicorn(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
             "iamconsole.wsgi"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )


def stop_gunicorn(server: subprocess.Popen, log: Path) -> list[str]:
    """Stop the server; the traceback lines of its log."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    return [line for line in log.read_text().splitlines() if "Traceback" in line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=4, help="load-generating processes")
    parser.add_argument("--duration", type=float, default=10, help="seconds per scenario")
    parser.add_argument("--max-requests", type=int, default=50_000,
                        help="cap per scenario (python generator)")
    parser.add_argument("--generator", choices=("wrk", "python"),
                        default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this")
    parser.add_argument("--last-accessed", choices=("on", "off"), default="on",
                        help="Access Advisor's recording (IAM_LAST_ACCESSED): off to measure "
                             "its cost")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to the seeded database")

    # The access key is encrypted at rest with a key derived from SECRET_KEY (unless
    # IAMCONSOLE_ENCRYPTION_KEYS is set): this process and the server must share it.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    key_id, secret = fresh_access_key()
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="iamconsole-load-", suffix=".log")[1])
    server = start_gunicorn(gunicorn_env(port, args.workers, IAM_LAST_ACCESSED=(
        "true" if args.last_accessed == "on" else "false")), log)
    try:
        wait_ready(port, server, log)
        print(f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}; {args.generator} "
              f"generator, {args.clients} clients; {args.duration:g} s per scenario; "
              f"last accessed recording {args.last_accessed}; "
              f"{os.cpu_count()} CPUs shared by server, database and load generator")
        print("| scenario                            |  req/s | p50 ms | p95 ms | requests | "
              "non-2xx | worker CPU ms/req | DB CPU ms/req |")
        print("|-------------------------------------|--------|--------|--------|----------|"
              "---------|-------------------|---------------|")
        from botocore.credentials import Credentials

        creds = Credentials(key_id, secret)
        with multiprocessing.get_context("spawn").Pool(args.clients) as pool:
            for name, method, path, body, signed in scenarios(port):
                if args.only and args.only not in name:
                    continue
                # Warm up every worker and client (imports, connections, compiled policies),
                # and show what a failing scenario answers.
                warm = pool.map(client, [(port, method, path, body, signed, key_id, secret,
                                          time.time() + 60, 10)] * args.clients)
                if any(r[1] for r in warm):
                    print(f"    {name}: {next(r[2] for r in warm if r[2])}")
                cpu_before = cpu_seconds(server.pid)
                if args.generator == "wrk":
                    count, bad, p50, p95, elapsed = wrk_run(
                        port, method, path, body, signed, creds, args.clients, args.duration)
                else:
                    budget = max(1, args.max_requests // args.clients)
                    started = time.perf_counter()
                    results = pool.map(client, [(port, method, path, body, signed, key_id,
                                                 secret, time.time() + args.duration, budget)]
                                       * args.clients)
                    elapsed = time.perf_counter() - started
                    latencies = sorted(x for r in results for x in r[0])
                    count, bad = len(latencies), sum(r[1] for r in results)
                    p50 = statistics.median(latencies)
                    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
                worker_ms, db_ms = ((after - before) * 1000 / max(1, count) for before, after
                                    in zip(cpu_before, cpu_seconds(server.pid), strict=True))
                print(f"| {name:<35} | {count / elapsed:>6.0f} | {p50:>6.1f} | {p95:>6.1f} | "
                      f"{count:>8} | {bad:>7} | {worker_ms:>17.1f} | {db_ms:>13.1f} |",
                      flush=True)
    finally:
        errors = stop_gunicorn(server, log)
    if errors:
        print(f"server log has {len(errors)} tracebacks: {log}")
    else:
        log.unlink()


if __name__ == "__main__":
    main()
