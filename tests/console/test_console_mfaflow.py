"""Issue #19 in the console: the users without MFA (a Users filter linked from the dashboard),
self-service prompts only when the engine allows them, copy buttons for secrets shown once,
and summary cards that refresh after an action in a tab."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from tests.conftest import ADMIN_POLICY, make_user
from tests.console.console_support import DOC, client_for, htmx

WITHOUT_MFA = "/users/?mfa=without&per_page=200"


def give_mfa(name: str) -> None:
    system = Caller.system("test")
    new = iam.create_virtual_mfa_device(system, f"{name}-phone")
    totp = pyotp.TOTP(new.base32_seed)
    now = time.time()
    iam.enable_mfa_device(system, name, new.device.serial_number, totp.at(now - 30),
                          totp.at(now))


def listed(body: str) -> set[str]:
    return set(re.findall(r'name="users" value="([^"]+)"', body))


# --- users without MFA --------------------------------------------------------------------

def test_users_without_mfa_are_console_users_with_no_device(admin):
    system = Caller.system("test")
    make_user("nomfa")  # password, no device: listed
    make_user("keyed")
    iam.create_access_key(system, "keyed")  # listed, with its key
    make_user("secured")
    give_mfa("secured")  # password and device: not listed
    make_user("script", password=None)  # no console password: not listed
    body = client_for(admin).get(WITHOUT_MFA).content.decode()
    assert listed(body) == {"nomfa", "keyed", admin.name}
    assert "3 users can sign in with a password and have no MFA device" in body
    row = body[body.index('value="keyed"'):]
    assert re.search(r"<td>1(?: |<)", row[:row.index("</tr>")])  # its one access key


def test_the_filter_is_kept_by_htmx_and_combines_with_search(admin):
    make_user("nomfa-a")
    make_user("nomfa-b")
    make_user("other")
    response = client_for(admin).get(WITHOUT_MFA + "&q=nomfa", **htmx("results"))
    assert listed(response.content.decode()) == {"nomfa-a", "nomfa-b"}
    assert "<html" not in response.content.decode()  # the table alone


def test_the_dashboard_links_the_finding_to_the_filtered_list(admin):
    make_user("nomfa")
    body = client_for(admin).get("/").content.decode()
    assert 'href="/users/?mfa=without"' in body


def test_no_link_for_who_may_read_the_report_but_not_list_users(db):
    make_user("nomfa")
    auditor = make_user("auditor", policy='{"Version": "2012-10-17", "Statement": [{"Effect": '
                        '"Allow", "Action": "iam:GetCredentialReport", "Resource": "*"}]}')
    body = client_for(auditor).get("/").content.decode()
    assert "Console users without MFA" in body and "mfa=without" not in body


def test_the_filtered_list_needs_list_users(db):
    outsider = make_user("outsider")
    assert client_for(outsider).get(WITHOUT_MFA).status_code == 403


def add_console_users(start: int, stop: int) -> None:
    system = Caller.system("test")
    for i in range(start, stop):
        make_user(f"u{i:03d}")
        iam.create_access_key(system, f"u{i:03d}")
        iam.attach_user_policy(system, f"u{i:03d}", iam.create_policy(
            system, f"p{i:03d}", DOC).arn)


def test_users_without_mfa_cost_a_constant_number_of_queries(admin,
                                                             django_assert_max_num_queries):
    add_console_users(0, 10)
    client = client_for(admin)
    client.get(WITHOUT_MFA)  # warm caches
    with CaptureQueriesContext(connection) as small:
        response = client.get(WITHOUT_MFA)
    assert len(listed(response.content.decode())) == 11
    add_console_users(10, 120)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(WITHOUT_MFA)
    assert len(listed(response.content.decode())) == 121


# --- self-service prompts -----------------------------------------------------------------

@pytest.fixture
def self_service(db):
    return iam.ensure_self_service_policy(Caller.system("test"))


def test_dashboard_offers_what_the_shipped_policy_allows(self_service):
    bob = make_user("bob", path="/team/")
    iam.attach_user_policy(Caller.system("test"), "bob", self_service.arn)
    body = client_for(bob).get("/").content.decode()
    assert "Your security credentials" in body
    assert "change your password</a>" in body
    assert "set up MFA</a>" in body and "manage your access keys</a>" in body
    assert "ask an administrator" not in body


def test_dashboard_says_ask_an_administrator_without_the_permissions(db):
    plain = make_user("plain")
    body = client_for(plain).get("/").content.decode()
    assert "Your security credentials" in body
    assert "change your password</a>" not in body and "set up MFA</a>" not in body
    assert "manage your access keys</a>" not in body
    assert body.count("ask an administrator") == 3


def test_mfa_page_offers_enrollment_only_when_allowed(self_service):
    plain = make_user("plain")
    page = client_for(plain).get("/accounts/mfa/").content.decode()
    assert 'data-testid="ask-admin"' in page and 'value="create"' not in page
    iam.attach_user_policy(Caller.system("test"), "plain", self_service.arn)
    page = client_for(plain).get("/accounts/mfa/").content.decode()
    assert 'data-testid="ask-admin"' not in page and 'value="create"' in page


def test_password_page_offers_the_form_only_when_allowed(self_service):
    plain = make_user("plain")
    page = client_for(plain).get("/accounts/password/").content.decode()
    assert 'data-testid="ask-admin"' in page and 'name="old_password"' not in page
    iam.attach_user_policy(Caller.system("test"), "plain", self_service.arn)
    page = client_for(plain).get("/accounts/password/").content.decode()
    assert 'data-testid="ask-admin"' not in page and 'name="old_password"' in page


def test_a_required_password_change_is_always_offered(db):
    plain = make_user("plain")
    iam.update_login_profile(Caller.system("test"), "plain", password_reset_required=True)
    page = client_for(plain).get("/accounts/password/").content.decode()
    assert 'name="old_password"' in page and 'data-testid="ask-admin"' not in page


# --- copy buttons -------------------------------------------------------------------------

COPY = re.compile(r'<button type="button" class="secondary small copy-button" '
                  r'data-copy-target="([\w-]+)" aria-label="Copy ([^"]+) to the clipboard" '
                  r'aria-describedby="\1-copy-status" hidden>Copy</button>'
                  r'<span id="\1-copy-status" class="copy-status muted" role="status" '
                  r'aria-live="polite"></span>')


def test_a_new_access_key_secret_has_a_copy_button(admin):
    make_user("carol")
    body = client_for(admin).post("/users/carol/access-keys/create/").content.decode()
    assert COPY.findall(body) == [("new-key-secret", "secret access key")]
    assert "js/copy.js" in body


def test_a_new_access_key_in_the_tab_has_a_copy_button(admin):
    make_user("carol")
    body = client_for(admin).post("/users/carol/access-keys/create/",
                                  **htmx("tab-panel")).content.decode()
    assert COPY.findall(body) == [("new-key-secret", "secret access key")]


def test_the_generated_password_and_secret_have_copy_buttons(admin):
    body = client_for(admin).post("/users/create/guided/", {
        "user_name": "erin", "console_access": "generated", "access_key": "on"}).content.decode()
    assert COPY.findall(body) == [("new-password", "console password"),
                                  ("new-key-secret", "secret access key")]


@pytest.mark.parametrize("headers", [{}, htmx("tab-panel")])
def test_a_service_specific_password_has_a_copy_button(world, admin, headers):
    body = client_for(admin).post("/users/target/service-credentials/create/",
                                  {"service_name": "codecommit.amazonaws.com"},
                                  **headers).content.decode()
    assert COPY.findall(body) == [("new-service-secret", "credential secret")]


# --- summary cards ------------------------------------------------------------------------

def card(body: str, key: str) -> str:
    match = re.search(rf'data-testid="summary-{key}"><span class="stat">([^<]*)</span>', body)
    assert match, key
    return match[1]


def test_user_page_shows_summary_cards(admin):
    make_user("dave")
    body = client_for(admin).get("/users/dave/").content.decode()
    assert 'hx-trigger="entity-changed from:body"' in body
    assert (card(body, "policy_count"), card(body, "key_count"), card(body, "has_mfa"),
            card(body, "has_console_access")) == ("0", "0", "No", "Yes")


def test_a_tab_action_announces_the_change_and_the_cards_show_it(admin):
    make_user("dave")
    policy = iam.create_policy(Caller.system("test"), "Readers", DOC)
    client = client_for(admin)
    response = client.post("/users/dave/policies/attach/", {"policy_arn": policy.arn},
                           **htmx("tab-panel"))
    assert response.status_code == 200 and response["HX-Trigger"] == "entity-changed"
    response = client.post("/users/dave/access-keys/create/", **htmx("tab-panel"))
    assert response["HX-Trigger"] == "entity-changed"
    summary = client.get("/users/dave/summary/", **htmx("entity-summary"))
    body = summary.content.decode()
    assert summary.status_code == 200 and "<html" not in body
    assert (card(body, "policy_count"), card(body, "key_count")) == ("1", "1")


def test_a_refused_action_announces_nothing(db):
    make_user("dave")
    reader = make_user("reader2", policy='{"Version": "2012-10-17", "Statement": [{"Effect": '
                       '"Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}]}')
    response = client_for(reader).post("/users/dave/access-keys/create/", **htmx("tab-panel"))
    assert response.status_code == 403 and "HX-Trigger" not in response


def test_a_rejected_password_announces_nothing(admin):
    make_user("dave")
    response = client_for(admin).post("/users/dave/login-profile/", {"password": "a"},
                                      **htmx("tab-panel"))
    assert response.status_code == 400 and "HX-Trigger" not in response


@pytest.mark.parametrize("url, cards", [
    ("/groups/team/summary/", {"user_count": "1", "policy_count": "1"}),
    ("/roles/app/summary/", {"policy_count": "1"}),
])
def test_groups_and_roles_have_cards_too(admin, url, cards, world):
    system = Caller.system("test")
    iam.add_user_to_group(system, "team", "spare")
    iam.attach_group_policy(system, "team", world.custom_arn)
    iam.attach_role_policy(system, "app", world.custom_arn)
    body = client_for(admin).get(url).content.decode()
    assert {key: card(body, key) for key in cards} == cards


def test_the_summary_is_authorized_as_the_page(db):
    make_user("dave")
    outsider = make_user("outsider")
    assert client_for(outsider).get("/users/dave/summary/").status_code == 403
    assert client_for(make_user("boss", policy=ADMIN_POLICY)).get(
        "/users/nobody/summary/").status_code == 404


def test_policy_pages_count_their_attachments(admin, world):
    system = Caller.system("test")
    iam.attach_user_policy(system, "target", world.custom_arn)
    iam.attach_role_policy(system, "app", world.custom_arn)
    body = client_for(admin).get("/policies/local/Custom/").content.decode()
    assert (card(body, "user_count"), card(body, "group_count"), card(body, "role_count")) \
        == ("1", "0", "1")
    aws = client_for(admin).get("/policies/aws/ReadOnlyManaged/summary/")
    assert aws.status_code == 200 and card(aws.content.decode(), "user_count") == "0"


def test_cards_are_for_who_may_list_the_kind(db):
    make_user("dave")
    getter = make_user("getter", policy='{"Version": "2012-10-17", "Statement": [{"Effect": '
                       '"Allow", "Action": "iam:GetUser", "Resource": "*"}]}')
    body = client_for(getter).get("/users/dave/").content.decode()
    assert 'data-testid="entity-summary"' not in body
