"""/healthz: 200 with a working database and cache, 503 without one."""

from __future__ import annotations

import json

import pytest
from deploy_support import REPO, VENV_BIN, free_port, http_get, production_env, serve
from django.db.utils import ConnectionHandler

from iamconsole.health import database_ok


@pytest.mark.django_db
def test_healthz_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405


def _broken_connection(settings: dict):
    base = {"ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False, "OPTIONS": {}, "TIME_ZONE": None, "USER": "",
            "PASSWORD": "", "HOST": "", "PORT": "", "TEST": {}}
    return ConnectionHandler({"default": {**base, **settings}})["default"]


@pytest.mark.django_db  # pytest-django blocks every connection otherwise, even a broken one
def test_database_check_fails_for_a_postgresql_server_that_is_not_there():
    connection = _broken_connection({
        "ENGINE": "django.db.backends.postgresql", "NAME": "iamconsole", "USER": "postgres",
        "HOST": "127.0.0.1", "PORT": str(free_port()), "OPTIONS": {"connect_timeout": 3},
    })
    try:
        assert database_ok(connection) is False
    finally:
        connection.close()


@pytest.mark.django_db
def test_database_check_fails_for_a_sqlite_file_that_cannot_be_opened(tmp_path):
    connection = _broken_connection({
        "ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "missing-dir" / "db"),
    })
    try:
        assert database_ok(connection) is False
    finally:
        connection.close()


def test_healthz_answers_503_from_a_production_server_whose_database_is_down(tmp_path):
    """The real start command, pointed at a PostgreSQL port nobody listens on: the process
    serves, /healthz says the database is unavailable (no HTTPS redirect for the probe)."""
    env = production_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/iamconsole",
        GUNICORN_BIND=f"127.0.0.1:{free_port()}", WEB_CONCURRENCY="1",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    command = [str(VENV_BIN / "gunicorn"), "-c", str(REPO / "gunicorn.conf.py"),
               "iamconsole.wsgi"]
    with serve(command, env, tmp_path / "gunicorn.log") as server:
        status, headers, body = http_get(f"{server.base_url}/healthz")
        assert status == 503, server.output()
        # The cache is the database's cache table here: unavailable too.
        assert json.loads(body) == {"status": "error", "database": "unavailable",
                                    "cache": "unavailable"}
        # Any other plain-HTTP request is sent to HTTPS.
        status, headers, _ = http_get(f"{server.base_url}/accounts/login/")
        assert status == 301
        assert headers["Location"].startswith("https://127.0.0.1")
