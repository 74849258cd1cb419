"""The container's start path, outside Docker: `docker/entrypoint.sh migrate` (the one-shot
release step), collectstatic (done at image build), then `docker/entrypoint.sh web` — gunicorn
with gunicorn.conf.py and production settings — against a fresh PostgreSQL database."""

from __future__ import annotations

import json
import subprocess

from deploy_support import (
    REPO,
    free_port,
    http_get,
    manage,
    postgres_database,  # noqa: F401 (fixture)
    production_env,
    serve,
)

ENTRYPOINT = str(REPO / "docker" / "entrypoint.sh")
HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating load balancer sends


def test_production_start_command_serves_health_static_files_and_security_headers(
    postgres_database, tmp_path,  # noqa: F811
):
    static_root = tmp_path / "static"
    env = production_env(
        DATABASE_URL=postgres_database, STATIC_ROOT=str(static_root), WEB_CONCURRENCY="2",
        GUNICORN_BIND=f"127.0.0.1:{free_port()}",
    )
    migrated = subprocess.run([ENTRYPOINT, "migrate"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    collected = manage("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    css_name = manifest["css/app.css"]
    assert css_name != "css/app.css"  # hashed name: cacheable forever

    with serve([ENTRYPOINT, "web"], env, tmp_path / "gunicorn.log") as server:
        status, headers, body = http_get(f"{server.base_url}/healthz", HTTPS)
        assert status == 200, server.output()
        assert json.loads(body) == {"status": "ok", "database": "ok", "cache": "ok"}
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert headers["X-Frame-Options"] == "DENY"
        assert "script-src 'self'" in headers["Content-Security-Policy"]

        status, headers, body = http_get(f"{server.base_url}/static/{css_name}", HTTPS)
        assert status == 200
        assert body == (REPO / "static" / "css" / "app.css").read_bytes()
        assert "immutable" in headers["Cache-Control"]  # whitenoise, hashed file

        status, headers, _ = http_get(f"{server.base_url}/accounts/login/", HTTPS)
        assert status < 500, server.output()
        assert "Strict-Transport-Security" in headers
        assert "Content-Security-Policy" in headers
        assert headers["X-Frame-Options"] == "DENY"

        assert "Traceback" not in server.output()
        # A request for a host that is not allowed is refused, not served.
        status, _, _ = http_get(f"{server.base_url}/healthz", {**HTTPS, "Host": "evil.example"})
        assert status == 400

        assert server.stop() == 0  # SIGTERM: graceful shutdown
    assert server.output().count("Booting worker") >= 2  # WEB_CONCURRENCY=2
