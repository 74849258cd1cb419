"""The simulator page reads the chosen principal's policies once per request (listing them,
running the simulation and offering their context keys share one gathering), and its query
count does not grow with the number of actions or resources simulated."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from personas import allow, deny, make_user, policy_json

from iamconsole.iam import authz
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller

SYSTEM = Caller.system("test")
TRUST = policy_json({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})


@pytest.fixture
def alice(db):
    user = make_user("alice", password=None, policy=policy_json(
        allow("s3:GetObject", "arn:aws:s3:::reports/*", Sid="ReadReports"),
        allow("sts:AssumeRole", "*")))
    iam.create_group(SYSTEM, "devs")
    iam.put_group_policy(SYSTEM, "devs", "NoDelete", policy_json(deny("s3:DeleteObject")))
    iam.add_user_to_group(SYSTEM, "devs", "alice")
    policy = iam.create_policy(SYSTEM, "Shared", policy_json(allow("s3:ListBucket")))
    iam.attach_user_policy(SYSTEM, "alice", policy.arn)
    iam.attach_group_policy(SYSTEM, "devs", policy.arn)
    for n in range(6):
        iam.create_role(SYSTEM, f"target{n}", TRUST)
    return user


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client


@pytest.fixture
def gatherings(monkeypatch):
    """Every reading of a principal's policies, as (kind, name)."""
    seen: list[tuple[str, str]] = []
    real = authz.principal_sources

    def spy(kind, principal):
        seen.append((kind, principal.name))
        return real(kind, principal)

    monkeypatch.setattr(authz, "principal_sources", spy)
    return seen


def _url(principal: str, actions: list[str], resources: list[str]) -> str:
    return "/simulator/?" + urlencode({
        "run": "1", "principal": principal, "actions": "\n".join(actions),
        "resources": "\n".join(resources),
        "ctx_key": "aws:SourceIp", "ctx_type": "ip", "ctx_values": "10.0.0.1"})


def _roles(n: int) -> list[str]:
    return [f"arn:aws:iam::{{account}}:role/target{i}" for i in range(n)]


@pytest.mark.parametrize("fmt", ["", "json"])
def test_the_principals_policies_are_read_once_per_page(reader_client, alice, gatherings, fmt):
    url = _url(alice.arn, ["s3:GetObject", "s3:DeleteObject"], ["arn:aws:s3:::reports/a"])
    response = reader_client.get(url + (f"&format={fmt}" if fmt else ""))
    assert response.status_code == 200
    assert b"ReadReports" in response.content
    assert gatherings.count(("user", "alice")) == 1  # listed, run and context keys: one read
    if not fmt:
        assert b"NoDelete" in response.content and b"Shared" in response.content


def test_the_policies_fragment_reads_the_policies_once(reader_client, alice, gatherings):
    response = reader_client.get("/simulator/policies/?" + urlencode({"principal": alice.arn}))
    assert response.status_code == 200
    assert b"NoDelete" in response.content
    assert gatherings.count(("user", "alice")) == 1


def test_query_count_does_not_grow_with_actions_and_resources(reader_client, alice):
    account = alice.arn.split(":")[4]
    small = _url(alice.arn, ["s3:GetObject"], ["arn:aws:s3:::reports/a"])
    large = _url(alice.arn, ["s3:GetObject", "s3:DeleteObject", "s3:PutObject", "s3:ListBucket",
                             "iam:GetUser"],
                 [f"arn:aws:s3:::reports/{n}" for n in range(8)])
    reader_client.get(small)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        assert reader_client.get(small).status_code == 200
    with CaptureQueriesContext(connection) as many:
        response = reader_client.get(large)
    assert response.status_code == 200
    assert response.content.count(b'<tr data-decision="') == 5 * 8
    assert len(many.captured_queries) == len(one.captured_queries)

    # Assuming roles: each role's trust policy decides, and all are read together.
    roles = [arn.format(account=account) for arn in _roles(6)]
    with CaptureQueriesContext(connection) as one_role:
        response = reader_client.get(_url(alice.arn, ["sts:AssumeRole"], roles[:1]))
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as six_roles:
        response = reader_client.get(_url(alice.arn, ["sts:AssumeRole", "sts:TagSession"],
                                          roles))
    assert response.status_code == 200
    assert response.content.count(b'<tr data-decision="allowed">') == 6
    assert len(six_roles.captured_queries) == len(one_role.captured_queries)
