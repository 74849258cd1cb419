"""STS GetFederationToken through the Query API with boto3 (and once with the aws CLI): the
federated-user session, its identity, its permissions (the intersection of the user's policies
and the session policies; none passed: none granted), its bounds and its audit record."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from awsapi_helpers import ACCOUNT, create_keys, error, session_client
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from personas import allow, make_user, policy_json

from iamconsole import sigv4
from iamconsole.iam import authn, authz, clock, crypto, decisions
from iamconsole.iam import identifiers as ids
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AccessKey, AuditEvent, TemporaryCredential

FED_ARN = f"arn:aws:sts::{ACCOUNT}:federated-user/alice"
BUCKET = "arn:aws:s3:::reports/*"
OTHER = "arn:aws:s3:::private/*"
USER_POLICY = policy_json(
    allow("sts:GetFederationToken", f"arn:aws:sts::{ACCOUNT}:federated-user/*"),
    allow(["s3:GetObject", "s3:PutObject"], "*"),
    allow("sqs:SendMessage", "*"),
)
AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")


@pytest.fixture
def broker(db):
    """The IAM user a federation broker signs with."""
    return make_user("broker", policy=USER_POLICY)


@pytest.fixture
def broker_sts(aws_client, broker):
    return aws_client("sts", *create_keys("broker"))


def session_caller(credentials: dict) -> Caller:
    """The Caller authentication builds for a request signed with the federated credentials
    (as a custom service's request is verified by the decision API)."""
    signed = AWSRequest(method="GET", url="https://reports.example/a.csv")
    SigV4Auth(Credentials(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                          credentials["SessionToken"]), "s3", "us-east-1").add_auth(signed)
    request = sigv4.SignedRequest(
        method="GET", path="/a.csv", query_string="",
        headers={"host": "reports.example",
                 **{k.lower(): v for k, v in signed.headers.items()}},
        payload_hash=decisions.sigv4_empty_hash())
    caller = authn.authenticate_signed(request, expected_service="s3", auth_method="test",
                                       source_ip=None, secure_transport=True)
    assert caller.credential.access_key_id == credentials["AccessKeyId"]
    return caller


def test_federation_token_shape_and_caller_identity(broker_sts, aws_client):
    before = clock.now()
    result = broker_sts.get_federation_token(
        Name="alice", Policy=policy_json(allow("s3:GetObject", BUCKET)))
    credentials = result["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and credentials["SessionToken"]
    lifetime = credentials["Expiration"] - before
    assert timedelta(seconds=43190) <= lifetime <= timedelta(seconds=43210)  # default 12 hours
    assert result["FederatedUser"] == {"FederatedUserId": f"{ACCOUNT}:alice", "Arn": FED_ARN}
    assert 0 < result["PackedPolicySize"] <= 100
    who = session_client(aws_client, "sts", credentials).get_caller_identity()
    assert (who["UserId"], who["Account"], who["Arn"]) == (f"{ACCOUNT}:alice", ACCOUNT, FED_ARN)
    # The context keys AWS sets for a federated user: aws:userid account:name, no aws:username.
    context = authz.request_context(session_caller(credentials))
    assert context["aws:userid"] == f"{ACCOUNT}:alice"
    assert context["aws:PrincipalArn"] == FED_ARN
    assert context["aws:PrincipalType"] == "FederatedUser"
    assert "aws:username" not in context


def test_permissions_are_the_intersection_of_user_and_session_policies(broker_sts):
    session = policy_json(allow(["s3:GetObject", "s3:DeleteObject"], BUCKET))
    credentials = broker_sts.get_federation_token(Name="alice", Policy=session)["Credentials"]
    caller = session_caller(credentials)
    assert authz.is_allowed(caller, "s3:GetObject", "arn:aws:s3:::reports/a.csv")  # both
    assert not authz.is_allowed(caller, "s3:PutObject", "arn:aws:s3:::reports/a.csv")  # user
    assert not authz.is_allowed(caller, "s3:DeleteObject", "arn:aws:s3:::reports/a")  # session
    assert not authz.is_allowed(caller, "s3:GetObject", "arn:aws:s3:::private/x")  # user only


def test_the_users_permissions_boundary_limits_the_session(broker_sts):
    system = Caller.system("test")
    boundary = iam.create_policy(system, "boundary", policy_json(
        allow(["sts:GetFederationToken", "s3:GetObject"], "*")))
    iam.put_user_permissions_boundary(system, "broker", boundary.arn)
    credentials = broker_sts.get_federation_token(
        Name="alice", Policy=policy_json(allow("s3:*", "*")))["Credentials"]
    caller = session_caller(credentials)
    assert authz.is_allowed(caller, "s3:GetObject", BUCKET)
    assert not authz.is_allowed(caller, "s3:PutObject", BUCKET)  # outside the boundary


def test_no_session_policy_grants_nothing_but_get_caller_identity(broker_sts, aws_client):
    result = broker_sts.get_federation_token(Name="alice")
    assert result.get("PackedPolicySize") is None
    credentials = result["Credentials"]
    assert not authz.is_allowed(session_caller(credentials), "s3:GetObject", OTHER)
    sts = session_client(aws_client, "sts", credentials)
    assert sts.get_caller_identity()["Arn"] == FED_ARN
    with pytest.raises(sts.exceptions.ClientError) as denied:
        sts.get_session_token()
    assert error(denied)[:2] == ("AccessDenied", 403)


def test_policy_arns_are_session_policies(broker_sts):
    managed = iam.create_policy(Caller.system("test"), "sqs-only",
                                policy_json(allow("sqs:SendMessage", "*")))
    credentials = broker_sts.get_federation_token(
        Name="alice", PolicyArns=[{"arn": managed.arn}])["Credentials"]
    caller = session_caller(credentials)
    assert authz.is_allowed(caller, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:q")
    assert not authz.is_allowed(caller, "s3:GetObject", BUCKET)


def test_federated_sessions_cannot_call_iam(broker_sts, aws_client):
    credentials = broker_sts.get_federation_token(
        Name="alice", Policy=policy_json(allow("*", "*")))["Credentials"]
    session_iam = session_client(aws_client, "iam", credentials)
    with pytest.raises(session_iam.exceptions.ClientError) as denied:
        session_iam.list_users()
    assert error(denied)[:2] == ("AccessDenied", 403)


def test_session_tags_are_principal_tags(broker, aws_client):
    iam.put_user_policy(Caller.system("test"), "broker", "tag",
                        policy_json(allow("sts:TagSession", "*")))
    sts = aws_client("sts", *create_keys("broker"))
    credentials = sts.get_federation_token(
        Name="alice", Policy=policy_json(allow("s3:GetObject", BUCKET)),
        Tags=[{"Key": "team", "Value": "blue"}])["Credentials"]
    context = authz.request_context(session_caller(credentials))
    assert context["aws:PrincipalTag/team"] == "blue"


def test_temporary_credentials_are_refused(broker_sts, aws_client):
    credentials = broker_sts.get_session_token()["Credentials"]
    sts = session_client(aws_client, "sts", credentials)
    with pytest.raises(sts.exceptions.ClientError) as denied:
        sts.get_federation_token(Name="alice")
    assert error(denied)[:2] == ("AccessDenied", 403)
    assert not TemporaryCredential.objects.exclude(session_name="").exists()


@pytest.mark.parametrize(("params", "field"), [
    ({"Name": "a"}, "name"),
    ({"Name": "x" * 33}, "name"),
    ({"Name": "bad name"}, "name"),
    ({"Name": "alice", "DurationSeconds": 899}, "durationSeconds"),
    ({"Name": "alice", "DurationSeconds": 129601}, "durationSeconds"),
])
def test_bad_name_or_duration_is_a_validation_error(aws_client, broker, params, field):
    sts = aws_client("sts", *create_keys("broker"), validate=False)
    with pytest.raises(sts.exceptions.ClientError) as denied:
        sts.get_federation_token(**params)
    code, status, message = error(denied)
    assert (code, status) == ("ValidationError", 400) and field in message


def test_malformed_or_too_large_session_policy(broker_sts):
    with pytest.raises(broker_sts.exceptions.ClientError) as bad:
        broker_sts.get_federation_token(Name="alice", Policy="{not json")
    assert error(bad)[:2] == ("MalformedPolicyDocument", 400)
    # Under the Policy parameter's 2048 characters, but with the tags over the packed budget.
    big = policy_json(*[allow("s3:GetObject", f"arn:aws:s3:::bucket-{i}/*") for i in range(12)])
    assert len(big) < 2048
    tags = [{"Key": f"k{i}", "Value": "v" * 200} for i in range(6)]
    with pytest.raises(broker_sts.exceptions.ClientError) as large:
        broker_sts.get_federation_token(Name="alice", Policy=big, Tags=tags)
    assert error(large)[:2] == ("PackedPolicyTooLarge", 400)


def test_the_permission_is_required(aws_client, db):
    make_user("nobody", policy=policy_json(allow("s3:*", "*")))
    sts = aws_client("sts", *create_keys("nobody"))
    with pytest.raises(sts.exceptions.ClientError) as denied:
        sts.get_federation_token(Name="alice")
    code, status, message = error(denied)
    assert (code, status) == ("AccessDenied", 403)
    assert f"sts:GetFederationToken on resource: {FED_ARN}" in message
    assert AuditEvent.objects.filter(action="sts:GetFederationToken", outcome="denied").exists()


def test_the_session_is_audited(broker_sts):
    result = broker_sts.get_federation_token(Name="alice", DurationSeconds=900)
    event = AuditEvent.objects.get(action="sts:GetFederationToken", outcome="success")
    assert event.actor_arn == f"arn:aws:iam::{ACCOUNT}:user/broker"
    assert event.resource_arn == FED_ARN
    assert result["Credentials"]["AccessKeyId"] in json.dumps(event.new_value)


def test_root_sessions_last_at_most_an_hour(aws_client, root_user):
    secret = ids.new_secret_access_key()
    key = AccessKey.objects.create(access_key_id=ids.new_access_key_id(), user=root_user,
                                   secret_encrypted=crypto.encrypt(secret))
    sts = aws_client("sts", key.access_key_id, secret)
    before = clock.now()
    result = sts.get_federation_token(Name="rooty", Policy=policy_json(allow("s3:*", "*")))
    assert result["Credentials"]["Expiration"] - before <= timedelta(seconds=3610)
    caller = session_caller(result["Credentials"])
    assert authz.is_allowed(caller, "s3:GetObject", BUCKET)
    assert not authz.is_allowed(caller, "sqs:SendMessage", "*")


def test_aws_cli_get_federation_token(live_server, broker, tmp_path):
    if AWS is None:
        pytest.skip("the aws CLI is not installed")
    key_id, secret = create_keys("broker")
    (tmp_path / "config").write_text("")
    (tmp_path / "credentials").write_text("")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
           "AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"), "AWS_MAX_ATTEMPTS": "1"}
    result = subprocess.run(
        [AWS, "sts", "get-federation-token", "--name", "alice", "--duration-seconds", "1800",
         "--policy", policy_json(allow("s3:GetObject", BUCKET)),
         "--endpoint-url", f"{live_server.url}/aws/sts/", "--region", "us-east-1",
         "--output", "json"],
        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["FederatedUser"] == {"FederatedUserId": f"{ACCOUNT}:alice", "Arn": FED_ARN}
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")
