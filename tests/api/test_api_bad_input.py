"""Bad input on the REST API is a JSON client error, never an HTML page or a 500: unknown paths
(a newline in them included), Django's SuspiciousOperation family, NUL characters, malformed
bodies. The fuzz test throws such requests at the door's entry point."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.api_helpers import sign


@pytest.fixture
def admin_client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def assert_json_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == code
    return response.json()["message"]


@pytest.mark.parametrize("path", ["/api/v1/nope%0A", "/api/v1/%0A", "/api/v1/users/%0A",
                                  "/api/v1/users/a%0Ab/", "/api/v1/users/alice/%0Agroups/",
                                  "/api/v1/policies/%0A/versions/"])
def test_any_path_under_the_api_is_a_json_404_even_with_a_newline(admin_client, path):
    assert_json_error(admin_client.get(path), 404, "NoSuchEntity")


def test_a_disallowed_host_is_a_json_400(admin_client):
    response = admin_client.get("/api/v1/users/", headers={"Host": "evil.example"})
    message = assert_json_error(response, 400, "BadRequest")
    assert "evil.example" in message


def test_a_body_over_the_size_limit_is_a_json_400(admin, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = b'{"user_name": "' + b"x" * 2000 + b'"}'
    from iamconsole.iam import services as iam
    from iamconsole.iam.caller import Caller

    new = iam.create_access_key(Caller.system("test"), "admin")
    headers = sign("POST", "http://testserver/api/v1/users/", new.access_key.access_key_id,
                   new.secret_access_key, body=body, headers={"Content-Type": "application/json"})
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    response = Client().generic("POST", "/api/v1/users/", body, content_type="application/json",
                                headers={**headers, "Host": "testserver"})
    message = assert_json_error(response, 400, "BadRequest")
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in message


@pytest.mark.parametrize("query", ["path_prefix=/a%00/", "tag=a%00", "key=%00"])
def test_a_nul_in_a_query_parameter_is_a_json_400(admin_client, query):
    message = assert_json_error(admin_client.get(f"/api/v1/users/?{query}"), 400, "BadRequest")
    assert "NUL" in message


_segment = st.sampled_from(["users", "alice", "groups", "roles", "policies", "tags", "%0A",
                            "%00", "..", "x" * 200, "ANPAAAAAAAAAAAAAAAAA", "v1", "%ff", ""])


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segments=st.lists(_segment, max_size=4),
       method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
       query=st.sampled_from(["", "?path_prefix=%00", "?limit=-1", "?offset=x", "?tag=%ff",
                              "?key=a&key=a", "?" + "&".join(f"f{i}=1" for i in range(1001))]),
       content_type=st.sampled_from(["application/json", "multipart/form-data",
                                     "application/json; charset=x-nope", "text/plain"]),
       body=st.sampled_from([b"", b"{", b'{"user_name": "\\u0000"}', b"\xff\xfe", b"[]",
                             b'{"tags": {"a": null}}', b'{"user_name": "' + b"a" * 65 + b'"}']),
       host=st.sampled_from(["testserver", "evil.example", "testserver:99999", "a b"]))
def test_fuzzed_rest_requests_answer_json_and_never_5xx(admin_client, segments, method, query,
                                                          content_type, body, host):
    path = "/api/v1/" + "/".join(segments) + ("/" if segments else "") + query
    response = admin_client.generic(method, path, body, content_type=content_type,
                                    headers={"Host": host})
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"] == "application/json", (path, response.status_code)


@pytest.mark.parametrize("url", ["/api/v1/users/?path_prefix=", "/api/v1/groups/?tag=",
                                 "/api/v1/roles/?path_prefix=", "/api/v1/policies/?arn=",
                                 "/api/v1/policies/?scope=", "/api/v1/audit-events/?actor=",
                                 "/api/v1/audit-events/?outcome="])
def test_an_empty_query_parameter_is_refused_as_the_schemas_min_length_says(admin_client, url):
    name = url.split("?")[1].rstrip("=")
    message = assert_json_error(admin_client.get(url), 400, "ValidationError")
    assert message == f"{name}: This field may not be blank."
