"""The REST API's Swagger UI renders in a real browser under the production CSP: its files come
from this server (drf-spectacular-sidecar), its start-up script is a file, not inline."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_the_schema_without_csp_violations(live_server, page):
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    external: list[str] = []
    page.on("request", lambda request: external.append(request.url)
            if not request.url.startswith(live_server.url) and
            not request.url.startswith("data:") else None)
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert response is not None and response.status == 200
    directives = dict(part.strip().split(" ", 1) for part in
                      response.headers["content-security-policy"].split(";") if part.strip())
    assert directives["script-src"] == "'self'"  # no inline or remote scripts, as everywhere
    page.locator(".swagger-ui .info .title").wait_for()
    assert "iamconsole API" in page.locator(".swagger-ui .info .title").inner_text()
    # The operations from the schema are listed, each with its IAM action. Swagger UI renders
    # a long operation list virtually (only what is near the viewport): scroll down to users.
    users = page.get_by_text("/api/v1/users/", exact=True)
    page.locator(".opblock").first.wait_for()
    for _ in range(200):
        if users.count():
            break
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(50)
    users.first.wait_for()
    assert external == []
    assert violations == []
