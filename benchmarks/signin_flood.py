"""A sign-in flood against a concurrent signed API client, under gunicorn (production settings).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iamconsole_bench \
        .venv/bin/python benchmarks/signin_flood.py [--workers 2] [--flood 8] [--duration 10]

Starts gunicorn as benchmarks/load.py does (seed the database with benchmarks/seed.py first),
then measures the API client (--api-clients wrk connections, SigV4-signed REST
`GET /api/v1/users/bench-user-05000/`, signed once and replayed) three times:

1. unloaded;
2. while --flood wrk connections POST wrong passwords to /accounts/login/ (a valid CSRF token,
   so each attempt reaches the sign-in flow; names cycle through the seeded bench users and
   unknown ones) from ONE client address;
3. the same flood spread over --flood client addresses (X-Forwarded-For, the server trusting
   loopback as its proxy), as from several machines.

Each flood uses a fresh random address block, so the locks and limits of an earlier run do not
carry over. Prints the API client's requests/s and its ratio to the unloaded figure (the goal:
at least 0.5), its latencies, the flood's requests/s and share of 429 answers, and the workers'
CPU per API request. Needs wrk (`apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import (  # benchmarks/ is not a package: load.py sits next to this script
    HTTPS,
    REPO,
    cpu_seconds,
    free_port,
    fresh_access_key,
    gunicorn_env,
    start_gunicorn,
    stop_gunicorn,
    wait_ready,
    wrk_run,
)

API_PATH = "/api/v1/users/bench-user-05000/"
LOGIN = "/accounts/login/"

FLOOD_SCRIPT = """
local n = 0
local addresses = %(addresses)d
local prefix = %(prefix)s
local token = %(token)s
%(headers)s
wrk.method = "POST"
request = function()
  n = n + 1
  local name = (n %% 3 == 0) and string.format("no-such-user-%%d", n)
               or string.format("bench-user-%%05d", n %% 10000)
  wrk.headers["X-Forwarded-For"] = prefix .. ((n %% addresses) + 1)
  local body = "csrfmiddlewaretoken=" .. token .. "&username=" .. name
               .. "&password=Wrong-Password-1%%21"
  return wrk.format(nil, nil, nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d\\n", summary.requests, summary.errors.status))
end
"""


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def csrf_pair(port: int) -> tuple[str, str]:
    """(cookie header value, form token) from the sign-in page, as a browser gets them."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", LOGIN, headers={**HTTPS, "Host": f"127.0.0.1:{port}"})
    response = conn.getresponse()
    page = response.read().decode()
    if response.status != 200:
        sys.exit(f"GET {LOGIN} answered {response.status}: {page[:300]!r}")
    cookie = next(c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie")
                  if "csrftoken" in c)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    return cookie, token


def flood_run(port: int, connections: int, addresses: int, duration: float) -> tuple[int, int]:
    """(requests, 4xx/5xx answers) of the sign-in flood, with wrk."""
    cookie, token = csrf_pair(port)
    prefix = f"198.18.{random.randrange(256)}."  # a fresh block: no locks from earlier runs
    headers = {**HTTPS, "Cookie": cookie, "Origin": f"https://127.0.0.1:{port}",
               "Referer": f"https://127.0.0.1:{port}{LOGIN}",
               "Content-Type": "application/x-www-form-urlencoded"}
    lines = "\n".join(f"wrk.headers[{_lua(k)}] = {_lua(v)}" for k, v in headers.items())
    script = Path(tempfile.mkstemp(prefix="iamconsole-flood-", suffix=".lua")[1])
    script.write_text(FLOOD_SCRIPT % {"addresses": addresses, "prefix": _lua(prefix),
                                      "token": _lua(token), "headers": lines})
    try:
        out = subprocess.run(
            ["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration:g}s", "-s", str(script),
             f"http://127.0.0.1:{port}{LOGIN}"],
            capture_output=True, text=True, check=True, timeout=duration + 60,
        ).stdout
    finally:
        script.unlink()
    match = re.search(r"RESULT (\d+) (\d+)", out)
    if match is None:
        sys.exit(f"wrk printed no result:\n{out}")
    return int(match[1]), int(match[2])


def check_flood_answers(port: int) -> None:
    """One flood request by hand: it must reach the sign-in flow (200 with the form error),
    not stop at CSRF (403) or a redirect."""
    cookie, token = csrf_pair(port)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", LOGIN, body=urlencode({"csrfmiddlewaretoken": token,
                                               "username": "nobody", "password": "x"}),
                 headers={**HTTPS, "Host": f"127.0.0.1:{port}", "Cookie": cookie,
                          "Origin": f"https://127.0.0.1:{port}",
                          "X-Forwarded-For": "198.19.0.1",
                          "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    body = response.read().decode()
    if response.status != 200 or "incorrect" not in body:
        sys.exit(f"a flood request does not reach the sign-in flow: {response.status} "
                 f"{body[:300]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--api-clients", type=int, default=1, help="API wrk connections")
    parser.add_argument("--flood", type=int, default=8, help="sign-in flood wrk connections")
    parser.add_argument("--duration", type=float, default=10, help="seconds per measurement")
    parser.add_argument("--skip-many", action="store_true",
                        help="leave out the flood from --flood addresses")
    parser.add_argument("--keep-log", action="store_true", help="keep gunicorn's log")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to the seeded database")
    if not shutil.which("wrk"):
        sys.exit("needs wrk: apt-get install wrk")

    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    key_id, secret = fresh_access_key()
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="iamconsole-flood-", suffix=".log")[1])
    env = gunicorn_env(port, args.workers,
                       TRUSTED_PROXIES="127.0.0.1")  # the flood's X-Forwarded-For is its address
    # The sign-in page needs the static files' manifest (production storage).
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=REPO, env=env, check=True)
    server = start_gunicorn(env, log)
    try:
        wait_ready(port, server, log)
        check_flood_answers(port)
        from botocore.credentials import Credentials

        creds = Credentials(key_id, secret)
        sign_in_limit = os.environ.get("SIGNIN_RATE_LIMIT", "10/minute (default)")
        print(f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}; API client: "
              f"{args.api_clients} wrk connection(s) on signed GET {API_PATH}; flood: "
              f"{args.flood} connections; {args.duration:g} s each; SIGNIN_RATE_LIMIT "
              f"{sign_in_limit}; cache {'Redis' if os.environ.get('CACHE_URL') else 'database'}"
              f"; {os.cpu_count()} CPUs shared by server, database and both wrk")
        print("| scenario                         | API req/s | vs unloaded | API p50 ms | "
              "API p95 ms | flood req/s | flood 429 share | worker CPU ms/API req |")
        print("|----------------------------------|-----------|-------------|------------|"
              "------------|-------------|-----------------|-----------------------|")
        wrk_run(port, "GET", API_PATH, None, True, creds, args.api_clients, 2)  # warm up
        unloaded = None
        runs = [("unloaded", 0), ("flood from 1 address", 1)]
        if not args.skip_many:
            runs.append((f"flood from {args.flood} addresses", args.flood))
        for name, addresses in runs:
            cpu_before = cpu_seconds(server.pid)[0]
            with ThreadPoolExecutor(2) as pool:
                flood = (pool.submit(flood_run, port, args.flood, addresses, args.duration + 2)
                         if addresses else None)
                if flood:
                    time.sleep(1)  # the flood is running before the API client starts
                count, bad, p50, p95, elapsed = wrk_run(port, "GET", API_PATH, None, True,
                                                        creds, args.api_clients, args.duration)
                flood_count, flood_bad = flood.result() if flood else (0, 0)
            worker_ms = (cpu_seconds(server.pid)[0] - cpu_before) * 1000 / max(1, count)
            rps = count / elapsed
            unloaded = unloaded or rps
            flood_rps = flood_count / (args.duration + 2)
            share = f"{flood_bad / flood_count:.0%}" if flood_count else "-"
            print(f"| {name:<32} | {rps:>9.0f} | {rps / unloaded:>11.2f} | {p50:>10.1f} | "
                  f"{p95:>10.1f} | {flood_rps:>11.0f} | {share:>15} | {worker_ms:>21.1f} |",
                  flush=True)
            if bad:
                print(f"    {bad} API answers were not 2xx")
    finally:
        errors = stop_gunicorn(server, log)
    if errors or args.keep_log:
        print(f"server log ({len(errors)} tracebacks): {log}")
    else:
        log.unlink()


if __name__ == "__main__":
    main()
