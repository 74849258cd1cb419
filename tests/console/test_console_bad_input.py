"""Bad input in the console is a 400 with a clear message, never a 500: NUL characters
(PostgreSQL cannot store or compare them) in search, tag filters, paths, names and form fields,
a revision that is not a number, and Django's client errors (SuspiciousOperation, BadRequest)."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamconsole.iam.models import Group, ManagedPolicy, Role, User

NUL = "\x00"

LIST_QUERIES = [
    f"/users/?q=a{NUL}b", f"/users/?tag=team{NUL}", f"/users/?tag=team%3Dco{NUL}re",
    f"/users/?path=/a{NUL}/", f"/groups/?q={NUL}", f"/groups/?path=/{NUL}/",
    f"/roles/?q={NUL}", f"/roles/?tag={NUL}", f"/roles/?path=/{NUL}/",
    f"/policies/?q={NUL}", f"/policies/?path=/{NUL}/", f"/policies/?tag={NUL}",
    f"/policies/options/?q={NUL}&purpose=attach&kind=user&name=target",
    f"/audit/?q={NUL}",
]
DETAIL_PATHS = ["/users/ta%00rget/", "/groups/te%00am/", "/roles/a%00pp/",
                "/policies/local/Cus%00tom/", "/users/target/inline/no%00te/edit/"]
FORMS = [
    ("/users/create/", {"name": f"new{NUL}", "path": "/"}),
    ("/users/create/", {"name": "new", "path": f"/a{NUL}/"}),
    ("/groups/create/", {"name": f"g{NUL}", "path": "/"}),
    ("/roles/create/", {"name": f"r{NUL}", "path": "/", "trust_policy": "{}"}),
    ("/policies/create/", {"name": f"p{NUL}", "path": "/", "document": "{}"}),
    ("/users/target/edit/", {"name": "target", "path": f"/{NUL}/", "revision": "1"}),
    ("/users/target/groups/add/", {"group_name": f"te{NUL}am"}),
    ("/groups/team/members/add/", {"user_name": f"tar{NUL}get"}),
    ("/users/target/mfa/deactivate/", {"serial_number": f"arn:aws:iam::1:mfa/x{NUL}"}),
    ("/users/target/tags/add/", {"key": f"k{NUL}", "value": "v"}),
    ("/users/target/tags/remove/", {"key": f"k{NUL}"}),
    ("/roles/app/tags/add/", {"key": "k", "value": f"v{NUL}"}),
    ("/users/target/policies/attach/", {"policy_arn": f"arn:aws:iam::aws:policy/x{NUL}"}),
]


@pytest.fixture
def admin_client(world, admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def assert_bad_request(response):
    assert response.status_code == 400, response.content[:300]
    page = response.content.decode()
    assert "NUL character" in page
    assert "<h1>Bad request</h1>" in page


@pytest.mark.parametrize("url", LIST_QUERIES)
def test_a_nul_in_a_list_filter_is_a_400(admin_client, url):
    assert_bad_request(admin_client.get(url))


@pytest.mark.parametrize("path", DETAIL_PATHS)
def test_a_nul_in_a_name_in_the_path_is_a_400(admin_client, path):
    assert_bad_request(admin_client.get(path))


@pytest.mark.parametrize(("url", "data"), FORMS, ids=[f"{u} {sorted(d)}" for u, d in FORMS])
def test_a_nul_in_a_form_field_is_a_400_and_changes_nothing(admin_client, url, data):
    counts = [model.objects.count() for model in (User, Group, Role, ManagedPolicy)]
    assert_bad_request(admin_client.post(url, data))
    assert [model.objects.count() for model in (User, Group, Role, ManagedPolicy)] == counts


def test_a_nul_in_the_sign_in_form_is_a_400(client, db):
    assert_bad_request(client.post("/accounts/login/", {"username": f"a{NUL}", "password": "x"}))


@pytest.mark.parametrize("revision", ["abc", "1.5", "-", "١"])
def test_set_default_version_with_a_revision_that_is_not_a_number_is_a_400(admin_client,
                                                                           revision):
    admin_client.post("/policies/local/Custom/versions/new/",
                      {"policy_document": '{"Version": "2012-10-17", "Statement": [{"Effect": '
                       '"Allow", "Action": "s3:*", "Resource": "*"}]}', "revision": "1"})
    response = admin_client.post("/policies/local/Custom/versions/v2/set-default/",
                                 {"revision": revision})
    assert response.status_code == 400
    assert "The revision must be a whole number" in response.content.decode()
    policy = ManagedPolicy.objects.get(name="Custom")
    assert policy.versions.count() == 2  # the new version exists…
    assert policy.versions.get(is_default=True).version_id == "v1"  # …and is not the default


def test_a_bad_request_in_htmx_goes_to_the_flash_region(admin_client):
    response = admin_client.get(f"/users/?q={NUL}", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#flash"
    assert "NUL character" in response.content.decode()


def test_a_disallowed_host_is_a_styled_400(admin_client):
    response = admin_client.get("/users/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()


_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12) | \
    st.sampled_from(["\x00", "%00", "a\x00b", "1.5", "-1", "../", "=", "ü" * 80])


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(
           ["/users/", "/groups/", "/roles/", "/policies/", "/audit/", "/users/target/",
            "/users/create/", "/groups/team/members/add/", "/users/target/groups/add/",
            "/users/target/mfa/deactivate/", "/policies/local/Custom/versions/v1/set-default/",
            "/users/target/tags/add/", "/roles/create/", "/policies/create/"]),
       method=st.sampled_from(["GET", "POST"]),
       fields=st.dictionaries(st.sampled_from(["q", "tag", "path", "name", "user_name",
                                               "group_name", "serial_number", "revision",
                                               "key", "value", "sort", "page", "document"]),
                              _text, max_size=4))
def test_fuzzed_console_requests_never_answer_5xx(admin_client, target, method, fields):
    if method == "GET":
        response = admin_client.get(target, fields)
    else:
        response = admin_client.post(target, fields)
    assert response.status_code < 500, response.content[:300]
