"""Dependency outages: with Redis or the database unreachable (a real client connecting to a
port nobody listens on), /healthz says 503 and names the dependency, every door answers 503 in
its own shape (REST JSON, Query API ServiceUnavailable, the console's page) and sign-in fails
closed."""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from deploy_support import free_port
from django.db import connections
from django.db.utils import ConnectionHandler
from django.test import Client

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from tests.api.api_helpers import sign
from tests.conftest import PASSWORD

REDIS_DOWN = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
                          "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = REDIS_DOWN  # override_settings: Django builds fresh cache objects


@contextlib.contextmanager
def database_down() -> Iterator[None]:
    """The default connection swapped for a PostgreSQL one to a closed port, then restored."""
    base = {"ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False, "TIME_ZONE": None, "PASSWORD": "", "TEST": {}}
    broken = ConnectionHandler({"default": {
        **base, "ENGINE": "django.db.backends.postgresql", "NAME": "iamconsole",
        "USER": "postgres", "HOST": "127.0.0.1", "PORT": str(free_port()),
        "OPTIONS": {"connect_timeout": 3},
    }})["default"]
    original = connections["default"]
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = original


@pytest.fixture
def keys(admin) -> tuple[str, str]:
    new = iam.create_access_key(Caller.system("test"), "admin")
    return new.access_key.access_key_id, new.secret_access_key


def signed(client: Client, method: str, path: str, keys, *, body: bytes = b"",
           content_type: str = "", service: str = "iam"):
    headers = {"Content-Type": content_type} if content_type else {}
    signed_headers = sign(method, f"http://testserver{path}", *keys, body=body,
                          headers=headers, service=service)
    signed_headers = {k: v for k, v in signed_headers.items() if k.lower() != "content-type"}
    return client.generic(method, path, body, content_type=content_type or None,
                          headers={**signed_headers, "Host": "testserver"})


def query(client: Client, keys, service: str = "iam"):
    body = (b"Action=GetCallerIdentity&Version=2011-06-15" if service == "sts"
            else b"Action=ListUsers&Version=2010-05-08")
    return signed(client, "POST", f"/aws/{service}/", keys, body=body, service=service,
                  content_type="application/x-www-form-urlencoded; charset=utf-8")


def assert_query_unavailable(response, dependency: str):
    assert response.status_code == 503
    assert response["Content-Type"] == "text/xml"
    assert response["Retry-After"]
    root = ET.fromstring(response.content)
    assert root.findtext("{*}Error/{*}Type") == "Receiver"
    assert root.findtext("{*}Error/{*}Code") == "ServiceUnavailable"
    assert dependency in root.findtext("{*}Error/{*}Message")
    assert root.findtext("{*}RequestId") == response["x-amzn-RequestId"]


def assert_json_unavailable(response, dependency: str):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "ServiceUnavailable"
    assert dependency in response.json()["message"]
    assert response["Retry-After"]


def assert_page_unavailable(response, dependency: str):
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<h1>Service unavailable</h1>" in page
    assert "css/app.css" in page  # the console's styled page, not Django's bare one
    assert f"its {dependency} cannot be reached" in page


# --------------------------------------------------------------------------- Redis down


@pytest.mark.django_db
def test_healthz_names_the_cache_when_redis_is_down(client, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "unavailable"}


@pytest.mark.django_db
def test_healthz_checks_a_working_redis(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/14"}}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_sign_in_fails_closed_when_redis_is_down(client, admin, redis_down):
    response = client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert_page_unavailable(response, "cache")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still signed out: sent to the sign-in page


@pytest.mark.django_db
def test_query_api_answers_service_unavailable_when_redis_is_down(client, keys, redis_down):
    assert_query_unavailable(query(client, keys), "cache")
    assert_query_unavailable(query(client, keys, "sts"), "cache")


@pytest.mark.django_db
def test_rest_api_answers_json_503_when_redis_is_down(client, keys, redis_down):
    assert_json_unavailable(signed(client, "GET", "/api/v1/users/", keys), "cache")


@pytest.mark.django_db
def test_rest_api_with_a_console_session_answers_json_503_when_redis_is_down(client, admin,
                                                                            settings):
    client.force_login(admin)
    settings.CACHES = REDIS_DOWN
    assert_json_unavailable(client.get("/api/v1/users/"), "cache")


# --------------------------------------------------------------------------- database down


@pytest.mark.django_db
def test_healthz_names_the_database_when_it_is_down(client):
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    # The cache is the database's cache table in this configuration: it is down with it.
    assert response.json() == {"status": "error", "database": "unavailable",
                               "cache": "unavailable"}


@pytest.mark.django_db
def test_query_api_answers_service_unavailable_when_the_database_is_down(client, keys):
    with database_down():
        iam_response = query(client, keys)
        sts_response = query(client, keys, "sts")
    assert_query_unavailable(iam_response, "database")
    assert_query_unavailable(sts_response, "database")


@pytest.mark.django_db
def test_rest_api_answers_json_503_when_the_database_is_down(client, keys):
    with database_down():
        response = signed(client, "GET", "/api/v1/users/", keys)
    assert_json_unavailable(response, "database")


@pytest.mark.django_db
def test_sign_in_fails_closed_when_the_database_is_down(client, admin):
    with database_down():
        response = client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert_page_unavailable(response, "database")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_console_and_api_with_a_session_answer_503_when_the_database_is_down(admin):
    """The session is loaded by a middleware, before any view: Django's handler500 answers."""
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    with database_down():
        page = client.get("/users/")
        api = client.get("/api/v1/users/")
    assert_page_unavailable(page, "database")
    assert_json_unavailable(api, "database")
