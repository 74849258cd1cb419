"""Behind load balancers: the client's address comes from X-Forwarded-For only when the request
arrives from a trusted proxy (TRUSTED_PROXIES), and then only the right-most untrusted entry
counts. Lockout, rate limits, the audit log and aws:SourceIp all see that address."""

from __future__ import annotations

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.test import Client
from personas import PASSWORD, allow, make_user, policy_json

from iamconsole.iam import lockout
from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent
from iamconsole.proxies import client_address, parse_networks

LB = parse_networks(["10.0.0.0/8", "127.0.0.1"])


@pytest.mark.parametrize(("remote", "forwarded", "client"), [
    # Not from a trusted proxy: the header is the client's own claim, ignored.
    ("198.51.100.9", "203.0.113.7", "198.51.100.9"),
    # One proxy: the entry it appended is the client.
    ("10.1.2.3", "203.0.113.7", "203.0.113.7"),
    # Entries left of the first untrusted one were written by the client: never used.
    ("10.1.2.3", "6.6.6.6, 203.0.113.7", "203.0.113.7"),
    # A chain of trusted proxies is walked through from the right.
    ("10.1.2.3", "203.0.113.7, 10.9.9.9, 127.0.0.1", "203.0.113.7"),
    # Ports and IPv6 brackets are tolerated; the address is what counts.
    ("10.1.2.3", "203.0.113.7:51234", "203.0.113.7"),
    ("10.1.2.3", "[2001:db8::1]:443", "2001:db8::1"),
    # Garbage stops the walk at the last address a trusted proxy vouched for.
    ("10.1.2.3", "203.0.113.7, not-an-address", "10.1.2.3"),
    ("10.1.2.3", "unknown, 10.9.9.9", "10.9.9.9"),
    # Only trusted hops: the left-most of them.
    ("10.1.2.3", "10.7.7.7", "10.7.7.7"),
])
def test_client_address_is_the_rightmost_untrusted_hop(remote, forwarded, client):
    assert client_address(remote, forwarded, LB) == client


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address("10.1.2.3", "203.0.113.7", []) == "10.1.2.3"


def _get_user(client: Client, key_id: str, secret: str, forwarded: str):
    url = "http://testserver/api/v1/users/ip-user/"
    request = AWSRequest(method="GET", url=url, headers={})
    SigV4Auth(Credentials(key_id, secret), "iam", "us-east-1").add_auth(request)
    return client.get("/api/v1/users/ip-user/", headers={
        **dict(request.headers.items()), "Host": "testserver", "X-Forwarded-For": forwarded})


@pytest.mark.django_db
def test_aws_source_ip_and_the_audit_log_see_the_client_behind_a_trusted_proxy(
        settings, system):
    make_user("ip-user", policy=policy_json(allow(
        ["iam:GetUser", "iam:CreateAccessKey"], "*",
        Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})))
    new = iam.create_access_key(system, "ip-user")
    key_id, secret = new.access_key.access_key_id, new.secret_access_key
    client = Client(REMOTE_ADDR="127.0.0.1")
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert _get_user(client, key_id, secret, "203.0.113.7").status_code == 200
    assert _get_user(client, key_id, secret, "198.51.100.1").status_code == 403
    # A spoofed left-most entry does not help the client from 198.51.100.1.
    assert _get_user(client, key_id, secret, "203.0.113.7, 198.51.100.1").status_code == 403
    # Not trusted: REMOTE_ADDR (127.0.0.1) is the address, whatever the header says.
    settings.TRUSTED_PROXIES = []
    assert _get_user(client, key_id, secret, "203.0.113.7").status_code == 403


@pytest.mark.django_db
def test_sign_in_lockout_is_per_client_address_behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.SIGNIN_RATE_LIMIT = "off"  # the address lock is under test, not the attempt limit
    make_user("alice")
    proxy = Client(REMOTE_ADDR="10.0.0.2")  # every request arrives from the load balancer
    attacker = {"X-Forwarded-For": "192.0.2.66"}
    for i in range(lockout.limits().address_failures):
        proxy.post("/accounts/login/", {"username": f"guess{i}", "password": "Wrong-Pass-1!"},
                   headers=attacker)
    failure = AuditEvent.objects.filter(outcome="failure").latest("id")
    assert failure.source_ip == "192.0.2.66"
    proxy.post("/accounts/login/", {"username": "alice", "password": PASSWORD},
               headers=attacker)
    assert proxy.session.get("_auth_user_id") is None  # the attacker's address is locked
    # Everyone else behind the same load balancer can still sign in.
    colleague = Client(REMOTE_ADDR="10.0.0.2")
    colleague.post("/accounts/login/", {"username": "alice", "password": PASSWORD},
                   headers={"X-Forwarded-For": "198.51.100.7"})
    assert colleague.session.get("_auth_user_id") is not None


def test_a_malformed_trusted_proxy_stops_the_start():
    from deploy_support import manage, production_env

    result = manage("check", env=production_env(TRUSTED_PROXIES="10.0.0.0/8,lb.internal"))
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'lb.internal'" in result.stderr
