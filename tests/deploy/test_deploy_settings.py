"""Production settings: `check --deploy` is clean, configuration comes from the environment,
security headers are sent, and CACHE_URL really puts the cache in Redis."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from pathlib import Path

import django_htmx
import pytest
from deploy_support import in_ci, manage, port_open, production_env
from django.conf import settings


def test_check_deploy_is_clean_with_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    env=production_env(ALLOWED_HOSTS="iam.example.com"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_flags_a_weak_secret_key():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    env=production_env(SECRET_KEY="short"))
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_settings_come_from_the_environment():
    code = ("from django.conf import settings as s; import json; print(json.dumps({"
            "'hosts': s.ALLOWED_HOSTS, 'account': s.IAM_ACCOUNT_ID, "
            "'db': s.DATABASES['default']['NAME'], 'engine': s.DATABASES['default']['ENGINE'], "
            "'cache': s.CACHES['default']['BACKEND'], 'hsts': s.SECURE_HSTS_SECONDS, "
            "'secure_cookies': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE], "
            "'debug': s.DEBUG}))")
    result = manage("shell", "--no-imports", "-c", code, env=production_env(
        ALLOWED_HOSTS="iam.example.com,.corp.example", IAM_ACCOUNT_ID="210987654321",
        DATABASE_URL="postgres://u:p@db.internal:5432/iam", CACHE_URL="redis://cache:6379/1",
        IAMCONSOLE_DEBUG="1",
    ))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "hosts": ["iam.example.com", ".corp.example"], "account": "210987654321",
        "db": "iam", "engine": "django.db.backends.postgresql",
        "cache": "django.core.cache.backends.redis.RedisCache", "hsts": 31536000,
        "secure_cookies": [True, True], "debug": False,  # DEBUG can never be on in production
    }


def _htmx_indicator_style_hash() -> str:
    """The sha-256 CSP source of the <style> htmx 2 injects, rebuilt from the shipped file so a
    django-htmx upgrade that changes it fails here instead of silently in browsers."""
    shipped = (Path(django_htmx.__file__).parent / "static/django_htmx/htmx-2.min.js").read_text()
    hidden = "{opacity:0;visibility: hidden} "
    shown = "{opacity:1;visibility: visible;transition: opacity 200ms ease-in}"
    assert hidden in shipped and shown in shipped
    style = (f".htmx-indicator{hidden}.htmx-request .htmx-indicator, "
             f".htmx-request.htmx-indicator{shown}")
    return "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"


@pytest.mark.django_db
def test_responses_carry_a_strict_content_security_policy(client):
    response = client.get("/healthz")
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline script, no eval
    assert policy["style-src"] == f"'self' {_htmx_indicator_style_hash()}"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_sessions_and_cache_live_outside_the_process():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.CACHES["default"]["BACKEND"] in {
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    }


def test_cache_url_puts_the_cache_in_redis():
    if not port_open("127.0.0.1", 6379):
        if in_ci():
            pytest.fail("Redis is not reachable at 127.0.0.1:6379 (required when CI=true)")
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    import redis

    key = f"deploy-test-{secrets.token_hex(8)}"
    code = (f"from django.core.cache import caches; cache = caches['default']; "
            f"cache.set({key!r}, 41, 60); cache.incr({key!r}); "
            f"print(type(cache).__name__, cache.get({key!r}))")
    result = manage("shell", "--no-imports", "-c", code,
                    env=production_env(CACHE_URL="redis://127.0.0.1:6379/15"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RedisCache", "42"]
    # Another process (this one) sees the value in Redis itself: Django's key format is
    # "<prefix>:<version>:<key>".
    server = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        assert server.get(f":1:{key}") == b"42"  # integers are stored unpickled
    finally:
        server.delete(f":1:{key}")
        server.close()
