"""Property-based run of schemathesis over the OpenAPI schema (/api/v1/schema/), authenticated as
an admin through the console session (with the CSRF token): whatever the schema allows a client
to send, the API never answers with a 5xx, and it answers as the schema says: a documented
status code, the documented content type and a body that matches the response's schema (null
where the schema says nullable…). Two examples per operation (about 200 in all) keep it near a
minute of CPU; the other API tests cover the cases it would need many draws to find."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import ADMIN_POLICY, make_user

CSRF = "abcdefghijklmnopqrstuvwxyz012345"


# Serving the schema needs no database, so it can be loaded at collection time.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.fixture
def keep_test_connection():
    """Requests go through the real WSGI handler, whose request_started/finished signals close
    database connections; keep the test's connection (and transaction) open, as Django's test
    client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_cookies(db, settings, keep_test_connection) -> dict[str, str]:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"api": None}}
    # No passwords: force_login needs none, and argon2 per operation adds up.
    admin = make_user("admin", policy=ADMIN_POLICY, password=None)
    make_user("alice", password=None)  # something for the generated names to hit
    client = Client()
    client.force_login(admin)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@schema.parametrize()
@settings(max_examples=2, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_answers_as_its_schema_says_and_never_5xx(case, admin_cookies):
    response = case.call(headers={"X-CSRFToken": CSRF}, cookies=admin_cookies)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    )
    case.validate_response(response, checks=CHECKS)
