"""End to end: the example billing service (examples/billing_service/app.py) behind the
iamconsole-authz WSGI middleware, called with boto3-signed requests (botocore's SigV4Auth,
service name "billing") by users and assumed roles; iamconsole (a live server) verifies each
signature for the service and decides with the callers' real policies, boundaries, MFA and
tags. Nothing is mocked: real HTTP, real database, real crypto."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pyotp
import pytest
import time_machine
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from personas import allow, deny, make_user, policy_json

from examples.billing_service import app as billing
from iamconsole.iam import custom_services, decisions, sts
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, ServiceLastAccessed, User

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime(2025, 3, 3, 12, 0, 0, tzinfo=UTC)


def signed(method: str, url: str, creds: Credentials, service: str, body: bytes = b"",
           headers: dict | None = None) -> tuple[int, dict]:
    """Send a botocore-SigV4-signed request; (status, JSON body)."""
    request = AWSRequest(method=method, url=url, data=body,
                         headers={"Content-Type": "application/json", **(headers or {})})
    SigV4Auth(creds, service, "us-east-1").add_auth(request)
    prepared = urllib.request.Request(url, data=body or None, method=method,  # noqa: S310
                                      headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def keys(user_name: str) -> Credentials:
    new = iam.create_access_key(Caller.system("test"), user_name)
    return Credentials(new.access_key.access_key_id, new.secret_access_key)


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(autouse=True)
def _fresh_caches():
    decisions.forget()
    custom_services.forget()
    yield
    decisions.forget()
    custom_services.forget()


@pytest.fixture
def account():
    return Caller.system("test").account


@pytest.fixture
def world(live_server, account):
    """The billing service registered through the REST API by an admin; its own service user
    (iamconsole:Authorize); alice, bob, carol, dave; the blue-team role alice may assume."""
    system = Caller.system("test")
    make_user("admin", policy=policy_json(allow("*", "*")))
    admin = keys("admin")
    status, body = signed("POST", f"{live_server.url}/api/v1/custom-services/", admin, "iam",
                          json.dumps(billing.SERVICE_DEFINITION).encode())
    assert status == 201, body
    make_user("billing-svc", policy=policy_json(allow(
        "iamconsole:Authorize", f"arn:aws:iamconsole::{account}:service/billing")))
    invoices = f"arn:aws:billing::{account}:invoice/*"
    make_user("alice", policy=policy_json(allow(["billing:GetInvoice", "billing:ListInvoices"],
                                                invoices)))
    iam.tag_user(system, "alice", {"team": "blue"})
    make_user("bob", policy=policy_json(allow("billing:ListInvoices", invoices),
                                        deny("billing:PayInvoice", "*")))
    make_user("carol", policy=policy_json(allow("billing:*", "*")))
    boundary = iam.create_policy(system, "BillingListOnly",
                                 policy_json(allow("billing:List*", "*")))
    iam.put_user_permissions_boundary(system, "carol", boundary.arn)
    make_user("dave", policy=policy_json(allow(
        "billing:PayInvoice", invoices,
        Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"},
                   "NumericLessThan": {"billing:Amount": "1000"}})))
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:user/alice"},
        "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
    iam.create_role(system, "blue-team", trust, tags={"team": "blue"})
    iam.put_role_policy(system, "blue-team", "abac", policy_json(allow(
        "billing:GetInvoice", invoices,
        Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}})))
    service_keys = keys("billing-svc")
    app = billing.make_app(live_server.url, service_keys.access_key, service_keys.secret_key,
                           account)
    server = make_server("127.0.0.1", 0, app, server_class=WSGIServer, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "account": account,
           "live": live_server.url}
    server.shutdown()
    server.server_close()


def call(world, method: str, path: str, creds: Credentials, service: str = "billing"):
    return signed(method, world["url"] + path, creds, service)


def test_allowed_user_gets_the_invoice_and_advisor_records_it(world):
    alice = keys("alice")
    status, body = call(world, "GET", "/invoices/inv-1", alice)
    assert status == 200, body
    assert body["id"] == "inv-1"
    assert body["caller"] == f"arn:aws:iam::{world['account']}:user/alice"
    status, body = call(world, "GET", "/invoices", alice)
    assert status == 200 and body["invoices"] == ["inv-1", "inv-2"]
    alice_user = User.objects.get(name="alice")
    assert ServiceLastAccessed.objects.filter(principal_id=alice_user.user_id,
                                              service="billing").exists()


def test_denied_by_policy_is_audited(world):
    bob = keys("bob")
    status, body = call(world, "GET", "/invoices/inv-1", bob)
    assert status == 403 and body["code"] == "AccessDenied" and body["reason"] == "noAllow"
    status, body = call(world, "POST", "/invoices/inv-1/pay", bob)
    assert status == 403 and body["reason"] == "explicitDeny"
    events = AuditEvent.objects.filter(outcome="denied", action="billing:GetInvoice")
    assert events.count() == 1
    assert "user/bob" in events.get().detail


def test_denied_by_permissions_boundary(world):
    carol = keys("carol")
    assert call(world, "GET", "/invoices", carol)[0] == 200  # the boundary allows List*
    status, body = call(world, "GET", "/invoices/inv-1", carol)
    assert status == 403 and body["reason"] == "boundary"


def test_mfa_required_long_term_key_denied_mfa_session_allowed(world):
    dave = keys("dave")
    status, body = call(world, "POST", "/invoices/inv-1/pay", dave)
    assert status == 403 and body["reason"] == "noAllow"
    with time_machine.travel(T0, tick=False):
        new = iam.create_virtual_mfa_device(Caller.system("test"), "dave-phone")
        totp = pyotp.TOTP(new.base32_seed)
        iam.enable_mfa_device(Caller.system("test"), "dave", new.device.serial_number,
                              totp.at(T0 - timedelta(seconds=30)), totp.at(T0))
    later = T0 + timedelta(minutes=2)
    with time_machine.travel(later, tick=True):
        user = User.objects.get(name="dave")
        session = sts.get_session_token(Caller(user=user, auth_method="test"),
                                        serial_number=new.device.serial_number,
                                        token_code=totp.at(later))
        creds = Credentials(session.access_key_id, session.secret_access_key,
                            session.session_token)
        status, body = call(world, "POST", "/invoices/inv-1/pay", creds)
        assert status == 200, body
        assert body["paid"] is True
        # The amount condition key: inv-2 is over the limit.
        status, body = call(world, "POST", "/invoices/inv-2/pay", creds)
        assert status == 403


def test_assumed_role_abac_by_tags(world):
    alice = User.objects.get(name="alice")
    assumed = sts.assume_role(Caller(user=alice, auth_method="test"),
                              f"arn:aws:iam::{world['account']}:role/blue-team", "alice-s")
    creds = Credentials(assumed.credentials.access_key_id,
                        assumed.credentials.secret_access_key,
                        assumed.credentials.session_token)
    status, body = call(world, "GET", "/invoices/inv-1", creds)  # team blue = blue
    assert status == 200, body
    assert body["caller"] == (f"arn:aws:sts::{world['account']}:assumed-role/blue-team/"
                              "alice-s")
    status, body = call(world, "GET", "/invoices/inv-2", creds)  # team red
    assert status == 403 and body["reason"] == "noAllow"


def test_bad_signatures_and_unsigned_requests_are_refused(world):
    alice = keys("alice")
    status, body = call(world, "GET", "/invoices/inv-1", alice, service="iam")
    assert status == 403 and body["code"] == "SignatureDoesNotMatch"
    forged = Credentials(alice.access_key, "x" * 40)
    status, body = call(world, "GET", "/invoices/inv-1", forged)
    assert status == 403 and body["code"] == "SignatureDoesNotMatch"


def test_unsigned_request_is_401(world):
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(world["url"] + "/invoices", timeout=5)  # noqa: S310
    assert exc.value.code == 401


def test_a_service_without_authorize_fails_closed(world, live_server):
    make_user("rogue", policy=policy_json(allow("billing:*", "*")))
    rogue = keys("rogue")
    app = billing.make_app(live_server.url, rogue.access_key, rogue.secret_key,
                           world["account"])
    server = make_server("127.0.0.1", 0, app, server_class=WSGIServer, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, body = signed("GET", f"http://127.0.0.1:{server.server_port}/invoices/inv-1",
                              keys("alice"), "billing")
        assert status == 403 and body["code"] == "ServiceUnavailable"
    finally:
        server.shutdown()
        server.server_close()


def test_decision_api_batch_by_arn_with_explanation(world):
    svc = keys("billing-svc")
    account = world["account"]
    checks = [{"action": "billing:GetInvoice", "resource": f"arn:aws:billing::{account}:invoice/x",
               "principal_arn": f"arn:aws:iam::{account}:user/{name}", "explain": True}
              for name in ("alice", "bob", "nobody")]
    status, body = signed("POST", world["live"] + "/api/v1/authorize/", svc, "iam",
                          json.dumps({"checks": checks}).encode())
    assert status == 200, body
    alice, bob, nobody = body["results"]
    assert alice["allowed"] is True and alice["principal"]["tags"] == {"team": "blue"}
    assert alice["matched_statements"][0]["source_policy_id"] == "inline"
    assert bob["allowed"] is False and bob["decision"] == "implicitDeny"
    assert nobody["decision"] == "authenticationFailed"
    assert nobody["error"]["code"] == "NoSuchEntity"
    too_many = {"checks": checks[:1] * 101}
    status, body = signed("POST", world["live"] + "/api/v1/authorize/", svc, "iam",
                          json.dumps(too_many).encode())
    assert status == 400


def test_the_catalog_knows_the_custom_service(world):
    from iamconsole.policy import catalog

    assert catalog.known_action("billing:GetInvoice")
    assert "billing:PayInvoice" in catalog.search_actions("billing:P")
    assert catalog.condition_key_type("billing:Amount") == "Numeric"
    assert not catalog.known_action("billing:Nope")


def test_asgi_middleware_authorizes_signed_requests(world, live_server):
    """The ASGI middleware in front of a tiny ASGI app, called with real signed requests."""
    import asyncio
    from urllib.parse import urlsplit

    from iamconsole_authz import AuthzClient
    from iamconsole_authz.asgi import ASGIAuthzMiddleware

    async def inner(scope, receive, send):
        body = json.dumps({"caller": scope["iamconsole.principal"]["arn"]}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    svc = keys("billing-svc")
    app = ASGIAuthzMiddleware(inner, AuthzClient(live_server.url, svc.access_key, svc.secret_key),
                              billing.resolver(world["account"]))

    def run(creds: Credentials, path: str) -> tuple[int, dict]:
        url = f"http://127.0.0.1:9999{path}"
        request = AWSRequest(method="GET", url=url, data=b"")
        SigV4Auth(creds, "billing", "us-east-1").add_auth(request)
        headers = [(b"host", b"127.0.0.1:9999")] + [
            (k.lower().encode(), v.encode()) for k, v in request.headers.items()]
        scope = {"type": "http", "method": "GET", "path": urlsplit(url).path,
                 "raw_path": urlsplit(url).path.encode(), "query_string": b"",
                 "headers": headers, "client": ("127.0.0.1", 5000), "scheme": "http"}
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        asyncio.run(app(scope, receive, send))
        return sent[0]["status"], json.loads(sent[1]["body"] or b"{}")

    status, body = run(keys("alice"), "/invoices/inv-1")
    assert status == 200 and body["caller"].endswith(":user/alice")
    status, body = run(keys("bob"), "/invoices/inv-1")
    assert status == 403 and body["code"] == "AccessDenied"


def test_django_requires_decorator_and_drf_permission(world, live_server):
    """`requires(...)` and `IAMPermission` on requests built by Django's RequestFactory with
    botocore's signature headers (the same checks the middleware makes)."""
    from django.http import JsonResponse
    from django.test import RequestFactory
    from iamconsole_authz import AuthzClient
    from iamconsole_authz import django as authz_django

    svc = keys("billing-svc")
    authz_django.client = AuthzClient(live_server.url, svc.access_key, svc.secret_key)
    account = world["account"]

    @authz_django.requires("billing:GetInvoice",
                           resource=lambda request, invoice: f"arn:aws:billing::{account}:"
                                                             f"invoice/{invoice}")
    def view(request, invoice):
        return JsonResponse({"caller": request.iam_principal["arn"], "invoice": invoice})

    def signed_request(creds: Credentials, path: str):
        request = AWSRequest(method="GET", url=f"http://billing.local{path}", data=b"")
        SigV4Auth(creds, "billing", "us-east-1").add_auth(request)
        meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in request.headers.items()}
        return RequestFactory().get(path, HTTP_HOST="billing.local", **meta)

    try:
        response = view(signed_request(keys("alice"), "/invoices/inv-1"), invoice="inv-1")
        assert response.status_code == 200
        assert json.loads(response.content)["caller"].endswith(":user/alice")
        assert view(signed_request(keys("bob"), "/invoices/inv-1"),
                    invoice="inv-1").status_code == 403

        class InvoiceView:
            iam_action = "billing:ListInvoices"
            iam_resource = f"arn:aws:billing::{account}:invoice/*"

        class DRFRequest:  # what DRF's Request exposes to a permission class
            def __init__(self, request):
                self._request, self.method = request, request.method

        permission = authz_django.IAMPermission()
        assert permission.has_permission(
            DRFRequest(signed_request(keys("carol"), "/invoices")), InvoiceView())
        assert not permission.has_permission(
            DRFRequest(signed_request(keys("dave"), "/invoices")), InvoiceView())
    finally:
        authz_django.client = None
