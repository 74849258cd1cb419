"""Console sign-in through an external OpenID Connect provider (issue #17), against the real,
OpenID-certified `oidc-provider` npm package (tests/oidc_idp_node/idp.mjs) served over TLS with
a CA made for the test. A requests session plays the browser: the sign-in page's "Sign in with"
button, the provider's own login and consent pages (devInteractions), the callback (code flow
with PKCE, state and nonce), the role chooser, the console as the role, sign-out."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from cert_fixtures import issue, key_pem
from django.test import Client
from oidc_idp import _server_certificate

from iamconsole.iam import console_signin, oidc_tokens
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, ConsoleSignInClient, TemporaryCredential
from tests.console.console_support import client_for, htmx

pytestmark = pytest.mark.django_db(transaction=True)

NODE_DIR = Path(__file__).resolve().parent.parent / "oidc_idp_node"
ACCOUNT = "123456789012"
CLIENT_ID, CLIENT_SECRET = "iamconsole-console", "a-long-client-secret-for-the-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def node_idp(tmp_path, live_server, settings):
    if shutil.which("node") is None or not (NODE_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("node or tests/oidc_idp_node/node_modules missing (make js)")
    ca = issue("iamconsole test OIDC CA", ca=True, days=2)
    server = _server_certificate(ca)
    (tmp_path / "ca.pem").write_text(ca.pem)
    (tmp_path / "cert.pem").write_text(server.pem)
    (tmp_path / "key.pem").write_text(key_pem(server.key))
    port = _free_port()
    clients = [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{live_server.url}/accounts/federated/callback/"]}]
    process = subprocess.Popen(
        ["node", str(NODE_DIR / "idp.mjs")], cwd=NODE_DIR, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
        env={"PATH": "/usr/bin:/bin", "NODE_ENV": "test", "IDP_PORT": str(port),
             "IDP_CERT": str(tmp_path / "cert.pem"), "IDP_KEY": str(tmp_path / "key.pem"),
             "IDP_CLIENTS": json.dumps(clients)})
    deadline = time.monotonic() + 30
    line = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("listening") or process.poll() is not None:
            break
    if not line.startswith("listening"):
        process.kill()
        pytest.fail(f"the node IdP did not start: {line}{process.stdout.read()}")
    settings.IAMCONSOLE_OIDC_CA_BUNDLE = str(tmp_path / "ca.pem")
    oidc_tokens.forget_keys()
    issuer = line.split()[1]
    yield {"issuer": issuer, "host": issuer.removeprefix("https://"),
           "ca": str(tmp_path / "ca.pem"), "live": live_server.url}
    oidc_tokens.forget_keys()
    process.terminate()
    process.wait(10)


def _trust(host: str, *subjects: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{host}:aud": CLIENT_ID, f"{host}:sub": list(subjects)}},
    }]})


def _allow(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})


@pytest.fixture
def federation(node_idp):
    system = Caller.system("test")
    host = node_idp["host"]
    provider = iam.create_open_id_connect_provider(system, node_idp["issuer"],
                                                   client_id_list=[CLIENT_ID])
    console_signin.put_console_sign_in(system, provider.arn, client_id=CLIENT_ID,
                                       client_secret=CLIENT_SECRET, display_name="Test IdP",
                                       enabled=True)
    iam.create_role(system, "viewer", _trust(host, "alice", "bob"), max_session_duration=7200)
    iam.put_role_policy(system, "viewer", "read", _allow("iam:ListUsers"))
    iam.create_role(system, "operator", _trust(host, "bob"))
    iam.put_role_policy(system, "operator", "roles", _allow("iam:ListRoles"))
    return node_idp


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _submit(browser: requests.Session, page: requests.Response, fields: dict
            ) -> requests.Response:
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
    prompt = re.search(r'name="prompt" value="([^"]+)"', page.text).group(1)
    return browser.post(requests.compat.urljoin(page.url, action),
                        data={"prompt": prompt, **fields})


def _sign_in(idp: dict, subject: str) -> tuple[requests.Session, requests.Response]:
    """Click "Sign in with Test IdP", log in at the provider as `subject`, consent."""
    browser = requests.Session()
    browser.verify = idp["ca"]
    browser.trust_env = False  # REQUESTS_CA_BUNDLE would replace the verify above
    page = browser.get(f"{idp['live']}/accounts/login/")
    assert "Sign in with Test IdP" in page.text
    # browsers apply form-action to the redirect that answers the button's POST
    assert idp["issuer"] in page.headers["Content-Security-Policy"].split("form-action")[1]
    start = re.search(r'action="(/accounts/federated/\d+/start/)"', page.text).group(1)
    login = browser.post(idp["live"] + start, data={"csrfmiddlewaretoken": _csrf(page.text)},
                         headers={"Referer": page.url})
    assert login.url.startswith(idp["issuer"] + "/interaction/"), login.url
    # the authorization request carried PKCE, state and nonce
    first = login.history[-2].headers["Location"] if len(login.history) > 1 else \
        login.history[0].headers["Location"]
    assert all(f"{k}=" in first for k in ("code_challenge", "state", "nonce")), first
    # oidc-provider's own pages: log in (any login becomes the subject), then consent
    page = _submit(browser, login, {"login": subject, "password": "any"})
    if page.url.startswith(idp["issuer"]):
        page = _submit(browser, page, {})
    consent = page
    return browser, consent


def test_sign_in_as_the_role_that_trusts_the_subject(federation):
    browser, page = _sign_in(federation, "alice")
    assert page.url == federation["live"] + "/", page.url
    assert "federated: alice as role/viewer" in page.text
    users = browser.get(federation["live"] + "/users/")
    assert users.status_code == 200 and "Users" in users.text
    roles = browser.get(federation["live"] + "/roles/")
    assert roles.status_code == 403
    # the REST API takes the session too, as the role
    assert browser.get(federation["live"] + "/api/v1/users/").status_code == 200
    assert browser.get(federation["live"] + "/api/v1/roles/").status_code == 403
    # an IAM user's own pages are not for a federated person
    for page_url in ("/accounts/password/", "/accounts/mfa/", "/accounts/switch-role/"):
        moved = browser.get(federation["live"] + page_url, allow_redirects=False)
        assert moved.status_code == 302 and moved.headers["Location"] == "/", page_url
    event = AuditEvent.everywhere.filter(action="sts:AssumeRoleWithWebIdentity",
                                         outcome="success").get()
    assert event.actor == "alice" and event.new_value["Subject"] == "alice"
    assert event.new_value["Provider"].endswith(f"oidc-provider/{federation['host']}")
    # the role's max session duration (7200 s)
    credential = TemporaryCredential.objects.get(role__name="viewer")
    assert abs((credential.expires_at - credential.created_at).total_seconds() - 7200) < 5
    assert credential.session_name == "alice"
    # sign-out ends the session
    home = browser.get(federation["live"] + "/")
    out = browser.post(federation["live"] + "/accounts/logout/",
                       data={"csrfmiddlewaretoken": _csrf(home.text)})
    assert "/accounts/login/" in out.url
    again = browser.get(federation["live"] + "/users/", allow_redirects=False)
    assert again.status_code == 302 and "/accounts/login/" in again.headers["Location"]
    assert AuditEvent.everywhere.filter(action="signin:ConsoleLogout",
                                        actor_arn__endswith="/viewer/alice").exists()


def test_no_trusting_role_is_a_clear_refusal(federation):
    _, page = _sign_in(federation, "carol")
    assert "/accounts/login/" in page.url
    assert "no role of this account trusts" in page.text and "carol" in page.text
    assert "federated:" not in page.text
    assert AuditEvent.everywhere.filter(action="sts:AssumeRoleWithWebIdentity",
                                        outcome="denied", actor="carol").exists()


def test_a_choice_when_several_roles_trust_the_subject(federation):
    browser, page = _sign_in(federation, "bob")
    assert page.url.endswith("/accounts/federated/choose/")
    assert f"arn:aws:iam::{ACCOUNT}:role/operator" in page.text
    assert f"arn:aws:iam::{ACCOUNT}:role/viewer" in page.text
    chosen = browser.post(page.url, data={"csrfmiddlewaretoken": _csrf(page.text),
                                          "role": f"arn:aws:iam::{ACCOUNT}:role/operator"})
    assert "federated: bob as role/operator" in chosen.text
    assert browser.get(federation["live"] + "/roles/").status_code == 200
    assert browser.get(federation["live"] + "/users/").status_code == 403


def test_an_administrator_enables_console_sign_in_on_the_provider_page(world, admin):
    system = Caller.system("test")
    iam.create_open_id_connect_provider(system, "https://idp.example.com",
                                        client_id_list=["console"])
    client = client_for(admin)
    page = client.get("/oidc-providers/idp.example.com/").content.decode()
    assert "Console sign-in" in page and "Not offered on the sign-in page." in page
    not_an_audience = client.post("/oidc-providers/idp.example.com/console-sign-in/", {
        "display_name": "Example", "client_id": "other", "client_secret": "s3cret-value",
        "enabled": "on"}, **htmx("tab-panel"))
    assert "audiences" in not_an_audience.content.decode()
    assert not ConsoleSignInClient.objects.exists()
    saved = client.post("/oidc-providers/idp.example.com/console-sign-in/", {
        "display_name": "Example", "client_id": "console", "client_secret": "s3cret-value",
        "enabled": "on"}, **htmx("tab-panel"))
    assert saved.status_code == 200, saved.content
    stored = ConsoleSignInClient.objects.get()
    assert stored.enabled and stored.client_id == "console"
    assert "s3cret-value" not in stored.client_secret_encrypted  # encrypted at rest
    assert "s3cret-value" not in saved.content.decode()
    assert "Sign in with Example" in Client().get("/accounts/login/").content.decode()
    event = AuditEvent.objects.filter(action="iamconsole:PutConsoleSignIn").get()
    assert "s3cret" not in json.dumps(event.new_value)


def test_a_callback_with_another_state_or_none_started_is_refused(federation):
    browser = requests.Session()
    browser.trust_env = False
    browser.verify = federation["ca"]
    live = federation["live"]
    unstarted = browser.get(f"{live}/accounts/federated/callback/?code=x&state=y")
    assert "/accounts/login/" in unstarted.url and "not started here" in unstarted.text
    page = browser.get(f"{live}/accounts/login/")
    start = re.search(r'action="(/accounts/federated/\d+/start/)"', page.text).group(1)
    browser.post(live + start, data={"csrfmiddlewaretoken": _csrf(page.text)},
                 allow_redirects=False)
    forged = browser.get(f"{live}/accounts/federated/callback/?code=x&state=forged")
    assert "state mismatch" in forged.text and "federated:" not in forged.text
    assert not TemporaryCredential.objects.exists()


@pytest.mark.e2e
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(),
                    reason="Debian chromium is not installed (apt-get install chromium)")
def test_in_a_real_browser_choose_a_role_and_sign_out(federation, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    live = federation["live"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        # the IdP's certificate is issued by the test's CA, unknown to chromium
        page = browser.new_context(ignore_https_errors=True).new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live}/accounts/login/")
        page.get_by_role("button", name="Sign in with Test IdP").click()
        page.wait_for_url(f"{federation['issuer']}/interaction/**")
        page.locator('input[name="login"]').fill("bob")
        page.locator('input[name="password"]').fill("any")
        page.get_by_role("button", name="Sign-in").click()
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(f"{live}/accounts/federated/choose/")
        page.get_by_label(f"arn:aws:iam::{ACCOUNT}:role/viewer").check()
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live}/")
        assert "federated: bob as role/viewer" in page.locator("header").inner_text()
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{live}/accounts/login/**")
        page.goto(f"{live}/users/")
        assert "/accounts/login/" in page.url
        browser.close()
