"""Helpers for the deployment tests: free loopback ports, subprocess environments, a gunicorn
process started the way the container starts it, and a throwaway PostgreSQL database."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# Variables of the developer's shell that must not leak into a subprocess under test.
_SCRUBBED = ("DATABASE_URL", "TEST_DATABASE_NAME", "CACHE_URL", "IAMCONSOLE_ENV", "SECRET_KEY",
             "ALLOWED_HOSTS", "STATIC_ROOT", "IAMCONSOLE_DEBUG", "DJANGO_SETTINGS_MODULE",
             "DJANGO_ALLOW_ASYNC_UNSAFE")  # set by browser tests in this process


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def production_env(**overrides: str) -> dict[str, str]:
    """The environment a production container gets: everything from variables."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        IAMCONSOLE_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 random characters
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=timeout, check=False,
    )


def http_get(url: str, headers: dict[str, str] | None = None, timeout: float = 10):
    """(status, headers, body) without following redirects; HTTP errors are answers too."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


class Server:
    """A process serving HTTP on 127.0.0.1:port, stopped with SIGTERM (what Docker sends)."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process = process
        self.port = port
        self.log = log

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@contextlib.contextmanager
def serve(command: list[str], env: dict[str, str], log: Path) -> Iterator[Server]:
    """Start `command` (which must bind GUNICORN_BIND from env) and wait until it accepts."""
    port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    try:
        deadline = time.monotonic() + 60
        while not port_open("127.0.0.1", port):
            if process.poll() is not None:
                pytest.fail(f"server exited with {process.returncode}:\n{server.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"server did not start listening:\n{server.output()}")
            time.sleep(0.1)
        yield server
    finally:
        server.stop()


def postgres_available() -> bool:
    if not port_open("127.0.0.1", 5432):
        return False
    import psycopg

    try:
        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def require_postgres() -> None:
    if not postgres_available():
        if in_ci():
            pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432 (required when CI=true)")
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for a subprocess; dropped afterwards. Yields its URL."""
    require_postgres()
    import psycopg

    name = f"iamconsole_deploy_test_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
