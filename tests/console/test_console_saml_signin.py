"""Console sign-in with an IdP-initiated SAML response (issue #17): a real SAML IdP (pysaml2's
IdP server signing with xmlsec1, tests/saml_idp.py) builds the signed response its page would
post to the console's Assertion Consumer Service; the Django test client (CSRF checks on) plays
the browser: the ACS, the role chooser, the console as the role, replay, sign-out."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.test import Client
from saml_idp import CONSOLE_ACS, ROLE_ATTR, XMLSEC, IdP
from saml_idp import SP as AWS_SIGNIN_SP

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, SAMLAssertionUse, TemporaryCredential

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(XMLSEC is None, reason="xmlsec1 is not installed")]

ACCOUNT = "123456789012"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/corp"
VIEWER = f"arn:aws:iam::{ACCOUNT}:role/viewer"
OPERATOR = f"arn:aws:iam::{ACCOUNT}:role/operator"
ATTR = "https://aws.amazon.com/SAML/Attributes/"
ACS = "/accounts/federated/saml/"


def _trust(audience: str = CONSOLE_ACS) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"saml:aud": audience}}}]})


def _allow(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})


@pytest.fixture
def idp(tmp_path, settings):
    settings.IAMCONSOLE_PUBLIC_URL = CONSOLE_ACS.removesuffix(ACS)
    provider = IdP(tmp_path)
    system = Caller.system("test")
    iam.create_saml_provider(system, "corp", provider.metadata())
    iam.create_role(system, "viewer", _trust(), max_session_duration=7200)
    iam.put_role_policy(system, "viewer", "read", _allow("iam:ListUsers"))
    iam.create_role(system, "operator", _trust())
    iam.put_role_policy(system, "operator", "roles", _allow("iam:ListRoles"))
    return provider


def _response(idp: IdP, *roles: str, subject: str = "alice", **extra) -> str:
    options = {k: extra.pop(k) for k in ("sign_response", "sign_assertion", "audience")
               if k in extra}
    options.setdefault("audience", CONSOLE_ACS)
    attributes = {ROLE_ATTR: [f"{role},{PROVIDER}" for role in roles],
                  ATTR + "RoleSessionName": [f"{subject}@example.com"], **extra}
    return idp.response(attributes, subject=subject, **options)


def _browser() -> Client:
    return Client(enforce_csrf_checks=True)  # the ACS is exempt, the chooser is not


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_sign_in_as_the_one_role_of_the_response(idp):
    browser = _browser()
    answer = browser.post(ACS, {"SAMLResponse": _response(idp, VIEWER)})
    assert answer.status_code == 302 and answer["Location"] == "/"
    home = browser.get("/")
    assert "federated: alice as role/viewer" in home.content.decode()
    assert browser.get("/users/").status_code == 200
    assert browser.get("/roles/").status_code == 403
    credential = TemporaryCredential.objects.get(role__name="viewer")
    assert credential.session_name == "alice@example.com"
    # no SessionDuration: the role's MaxSessionDuration
    assert abs((credential.expires_at - credential.created_at).total_seconds() - 7200) < 5
    event = AuditEvent.everywhere.get(action="sts:AssumeRoleWithSAML", outcome="success")
    assert event.actor == "alice" and event.actor_arn == PROVIDER
    assert SAMLAssertionUse.objects.count() == 1
    # sign-out ends the session
    out = browser.post("/accounts/logout/", {"csrfmiddlewaretoken": _csrf(home.content.decode())})
    assert out.status_code == 302 and "/accounts/login/" in out["Location"]
    again = browser.get("/users/")
    assert again.status_code == 302 and "/accounts/login/" in again["Location"]
    assert AuditEvent.everywhere.filter(action="signin:ConsoleLogout",
                                        actor_arn__endswith="/viewer/alice@example.com").exists()


def test_session_duration_is_bounded_by_the_attribute_and_the_role(idp):
    browser = _browser()
    browser.post(ACS, {"SAMLResponse": _response(idp, VIEWER,
                                                 **{ATTR + "SessionDuration": ["1800"]})})
    credential = TemporaryCredential.objects.get(role__name="viewer")
    assert abs((credential.expires_at - credential.created_at).total_seconds() - 1800) < 5
    browser = _browser()
    browser.post(ACS, {"SAMLResponse": _response(idp, OPERATOR, subject="bob",
                                                 **{ATTR + "SessionDuration": ["43200"]})})
    credential = TemporaryCredential.objects.get(role__name="operator")
    assert abs((credential.expires_at - credential.created_at).total_seconds() - 3600) < 5


def test_a_choice_when_the_response_names_two_roles(idp):
    browser = _browser()
    saml_response = _response(idp, VIEWER, OPERATOR, subject="bob")
    answer = browser.post(ACS, {"SAMLResponse": saml_response})
    assert answer.status_code == 302 and answer["Location"] == "/accounts/federated/saml/choose/"
    page = browser.get(answer["Location"]).content.decode()
    assert VIEWER in page and OPERATOR in page and "bob" in page
    assert 'action="/accounts/federated/saml/choose/"' in page
    assert SAMLAssertionUse.objects.count() == 0  # nothing assumed while choosing
    # a role the response does not name is not offered
    other = browser.post("/accounts/federated/saml/choose/", {
        "csrfmiddlewaretoken": _csrf(page), "role": f"arn:aws:iam::{ACCOUNT}:role/admin"})
    assert other.status_code == 200 and "Choose one of the roles" in other.content.decode()
    assert TemporaryCredential.objects.count() == 0
    chosen = browser.post("/accounts/federated/saml/choose/",
                          {"csrfmiddlewaretoken": _csrf(page), "role": OPERATOR}, follow=True)
    assert "federated: bob as role/operator" in chosen.content.decode()
    assert browser.get("/roles/").status_code == 200
    assert browser.get("/users/").status_code == 403
    assert [c.role.name for c in TemporaryCredential.objects.all()] == ["operator"]
    # the response was consumed by the one sign-in: posting it again is refused
    replay = _browser().post(ACS, {"SAMLResponse": saml_response})
    assert replay.status_code == 403 and "already been used" in replay.content.decode()
    # and the chooser is gone with the choice
    assert browser.get("/accounts/federated/saml/choose/").status_code == 302


def test_a_chooser_held_by_two_sessions_signs_in_once(idp):
    saml_response = _response(idp, VIEWER, OPERATOR, subject="bob")
    first, second = _browser(), _browser()
    pages = []
    for browser in (first, second):
        browser.post(ACS, {"SAMLResponse": saml_response})
        pages.append(browser.get("/accounts/federated/saml/choose/").content.decode())
    ok = first.post("/accounts/federated/saml/choose/",
                    {"csrfmiddlewaretoken": _csrf(pages[0]), "role": VIEWER})
    assert ok.status_code == 302
    late = second.post("/accounts/federated/saml/choose/",
                       {"csrfmiddlewaretoken": _csrf(pages[1]), "role": OPERATOR})
    assert late.status_code == 403 and "already been used" in late.content.decode()
    assert second.get("/users/").status_code == 302
    assert TemporaryCredential.objects.count() == 1


def test_a_replayed_response_is_refused(idp):
    saml_response = _response(idp, VIEWER)
    assert _browser().post(ACS, {"SAMLResponse": saml_response}).status_code == 302
    browser = _browser()
    replay = browser.post(ACS, {"SAMLResponse": saml_response})
    assert replay.status_code == 403
    assert "already been used" in replay.content.decode()
    assert browser.get("/users/").status_code == 302
    assert TemporaryCredential.objects.count() == 1


def test_an_unsigned_response_is_refused(idp):
    browser = _browser()
    unsigned = _response(idp, VIEWER, sign_response=False, sign_assertion=False)
    answer = browser.post(ACS, {"SAMLResponse": unsigned})
    assert answer.status_code == 403
    assert "not signed by a certificate" in answer.content.decode()
    assert browser.get("/users/").status_code == 302
    assert TemporaryCredential.objects.count() == 0
    assert AuditEvent.everywhere.filter(action="sts:AssumeRoleWithSAML", outcome="denied",
                                        resource_arn=PROVIDER).exists()


def test_an_expired_response_is_refused(idp):
    saml_response = _response(idp, VIEWER)  # valid for the IdP's 15 minutes
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), tick=False):
        answer = _browser().post(ACS, {"SAMLResponse": saml_response})
    assert answer.status_code == 403 and "expired" in answer.content.decode()
    assert TemporaryCredential.objects.count() == 0


def test_a_response_of_another_idp_is_refused(idp, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    forged = IdP(other)  # same entityID, another key
    answer = _browser().post(ACS, {"SAMLResponse": _response(forged, VIEWER)})
    assert answer.status_code == 403
    assert TemporaryCredential.objects.count() == 0


def test_no_trusting_role_and_bad_input_are_clear_refusals(idp):
    # the response is for AWS's sign-in, the roles trust only the console's ACS
    answer = _browser().post(ACS, {"SAMLResponse": _response(idp, VIEWER,
                                                             audience=AWS_SIGNIN_SP)})
    assert answer.status_code == 403 and "Not authorized" in answer.content.decode()
    # no role of the installation named
    answer = _browser().post(ACS, {"SAMLResponse": _response(
        idp, f"arn:aws:iam::{ACCOUNT}:role/nope")})
    assert answer.status_code == 403 and "names no role" in answer.content.decode()
    assert _browser().post(ACS, {}).status_code == 400
    assert _browser().post(ACS, {"SAMLResponse": "not base64!"}).status_code == 403
    assert _browser().post(ACS, {"SAMLResponse": "PGZvbz4="}).status_code == 403  # <foo>
    assert _browser().post(ACS, {"SAMLResponse": "A" * 100_004}).status_code == 400
    assert _browser().get(ACS).status_code == 405
    assert TemporaryCredential.objects.count() == 0


def test_a_response_for_aws_sign_in_is_accepted_by_roles_trusting_it(idp):
    iam.update_assume_role_policy(Caller.system("test"), "viewer", _trust(AWS_SIGNIN_SP))
    browser = _browser()
    answer = browser.post(ACS, {"SAMLResponse": _response(idp, VIEWER, audience=AWS_SIGNIN_SP)})
    assert answer.status_code == 302
    assert "federated: alice as role/viewer" in browser.get("/").content.decode()


def test_relay_state_is_a_local_redirect_only(idp):
    answer = _browser().post(ACS, {"SAMLResponse": _response(idp, VIEWER),
                                   "RelayState": "/users/"})
    assert answer["Location"] == "/users/"
    answer = _browser().post(ACS, {"SAMLResponse": _response(idp, VIEWER),
                                   "RelayState": "https://evil.example/"})
    assert answer["Location"] == "/"
    answer = _browser().post(ACS, {"SAMLResponse": _response(idp, VIEWER),
                                   "RelayState": "//evil.example/"})
    assert answer["Location"] == "/"


def test_the_same_idp_in_two_accounts_offers_the_roles_of_both(idp, tmp_path):
    from accounts_fixtures import B, in_account, second_account

    second_account()
    b_provider = f"arn:aws:iam::{B}:saml-provider/corp"
    with in_account(B):
        system = Caller.system("test")
        iam.create_saml_provider(system, "corp", idp.metadata())
        iam.create_role(system, "auditor", _trust().replace(PROVIDER, b_provider))
        iam.put_role_policy(system, "auditor", "read", _allow("iam:ListUsers"))
    # another account's provider of the same entityID with another key: not a refusal here
    other = tmp_path / "other"
    other.mkdir()
    second_account("333344445555", "C")
    with in_account("333344445555"):
        iam.create_saml_provider(Caller.system("test"), "corp", IdP(other).metadata())
    b_role = f"arn:aws:iam::{B}:role/auditor"
    attributes = {ROLE_ATTR: [f"{VIEWER},{PROVIDER}", f"{b_provider},{b_role}"],
                  ATTR + "RoleSessionName": ["alice@example.com"]}
    browser = _browser()
    answer = browser.post(ACS, {"SAMLResponse": idp.response(attributes, audience=CONSOLE_ACS)})
    assert answer["Location"] == "/accounts/federated/saml/choose/"
    page = browser.get(answer["Location"]).content.decode()
    assert VIEWER in page and b_role in page
    chosen = browser.post(answer["Location"], {"csrfmiddlewaretoken": _csrf(page),
                                               "role": b_role}, follow=True)
    assert "federated: alice as role/auditor" in chosen.content.decode()
    assert browser.get("/users/").status_code == 200
    assert TemporaryCredential.objects.get().role.account_id == B
    assert not AuditEvent.everywhere.filter(account_id="333344445555",
                                            outcome="denied").exists()
