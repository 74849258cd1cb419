"""STS through the Query API with boto3: AssumeRole (trust policy, duration bounds, session
policies), temporary credentials used against IAM, STS and the REST API, and their expiry."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
import time_machine
from awsapi_helpers import ACCOUNT, create_keys, error, session_client
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from personas import allow, deny, make_user, policy_json

from iamconsole.iam import clock, crypto
from iamconsole.iam import identifiers as ids
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AccessKey, AuditEvent, TemporaryCredential, User

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/deployer"
ROLE_POLICY = policy_json(allow(["iam:ListUsers", "iam:GetUser", "iam:ListRoles"]))


def trust(principal: str, **extra) -> str:
    return policy_json({"Effect": "Allow", "Principal": {"AWS": principal},
                        "Action": "sts:AssumeRole", **extra})


def make_role(trust_policy: str, *, name: str = "deployer", max_session: int = 3600,
              policy: str = ROLE_POLICY) -> None:
    system = Caller.system("test")
    iam.create_role(system, name, trust_policy, max_session_duration=max_session)
    iam.put_role_policy(system, name, "permissions", policy)


@pytest.fixture
def dev(db):
    """An IAM user with no policies of its own."""
    return make_user("dev")


@pytest.fixture
def dev_sts(aws_client, dev):
    return aws_client("sts", *create_keys("dev"))


def test_assume_role_with_a_trust_policy_naming_the_user(dev_sts, aws_client):
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:user/dev"))
    before = clock.now()
    result = dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="deploy-1")
    credentials = result["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert len(credentials["SecretAccessKey"]) == 40 and credentials["SessionToken"]
    lifetime = credentials["Expiration"] - before
    assert timedelta(seconds=3590) <= lifetime <= timedelta(seconds=3610)  # default one hour
    role_id = iam.find_role("deployer").role_id
    assert result["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role_id}:deploy-1",
        "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/deploy-1",
    }
    stored = TemporaryCredential.objects.get(access_key_id=credentials["AccessKeyId"])
    assert stored.session_token_hash != credentials["SessionToken"]  # only the hash is kept
    assert credentials["SecretAccessKey"] not in stored.secret_encrypted

    # The temporary credentials work, from any region, and act as the role.
    session_sts = session_client(aws_client, "sts", credentials, region="ap-south-1")
    who = session_sts.get_caller_identity()
    assert (who["UserId"], who["Account"], who["Arn"]) == (
        f"{role_id}:deploy-1", ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/deploy-1")
    session_iam = session_client(aws_client, "iam", credentials)
    assert [u["UserName"] for u in session_iam.list_users()["Users"]] == ["dev"]
    with pytest.raises(session_iam.exceptions.ClientError) as denied:
        session_iam.create_user(UserName="x")
    code, status, message = error(denied)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/deployer/deploy-1 is not authorized")
    event = AuditEvent.objects.get(action="sts:AssumeRole", outcome="success")
    assert event.actor_arn == f"arn:aws:iam::{ACCOUNT}:user/dev"


def test_assume_role_without_a_matching_trust_policy_is_denied(dev_sts):
    make_user("someone-else")
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:user/someone-else"))
    with pytest.raises(dev_sts.exceptions.ClientError) as denied:
        dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="nope")
    assert error(denied) == (
        "AccessDenied", 403,
        f"User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: sts:AssumeRole "
        f"on resource: {ROLE_ARN}")
    assert not TemporaryCredential.objects.exists()
    assert AuditEvent.objects.filter(action="sts:AssumeRole", outcome="denied").count() == 1


def test_assume_a_role_that_does_not_exist_is_access_denied(dev_sts):
    with pytest.raises(dev_sts.exceptions.ClientError) as denied:
        dev_sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ghost", RoleSessionName="s1")
    assert error(denied)[:2] == ("AccessDenied", 403)


def test_trust_naming_the_account_needs_an_identity_policy_too(aws_client, dev_sts):
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:root"))
    with pytest.raises(dev_sts.exceptions.ClientError) as denied:
        dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1")
    assert error(denied)[:2] == ("AccessDenied", 403)
    make_user("ops", policy=policy_json(allow("sts:AssumeRole", ROLE_ARN)))
    ops_sts = aws_client("sts", *create_keys("ops"))
    assert ops_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1")["Credentials"]


def test_trust_policy_conditions_see_the_external_id(aws_client, dev_sts):
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:user/dev",
                    Condition={"StringEquals": {"sts:ExternalId": "secret-42"}}))
    with pytest.raises(dev_sts.exceptions.ClientError):
        dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", ExternalId="wrong-id")
    assert dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1",
                               ExternalId="secret-42")["Credentials"]


def test_root_credentials_may_not_assume_roles(aws_client, root_user):
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:root"))
    secret = ids.new_secret_access_key()
    key = AccessKey.objects.create(access_key_id=ids.new_access_key_id(), user=root_user,
                                   secret_encrypted=crypto.encrypt(secret))
    root_sts = aws_client("sts", key.access_key_id, secret)
    assert root_sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert root_sts.get_caller_identity()["UserId"] == ACCOUNT
    with pytest.raises(root_sts.exceptions.ClientError) as denied:
        root_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1")
    assert error(denied) == ("AccessDenied", 403, "Roles may not be assumed by root accounts.")


def test_duration_seconds_is_bounded_by_900_and_the_roles_maximum(aws_client, dev):
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:user/dev"), max_session=7200)
    dev_sts = aws_client("sts", *create_keys("dev"), validate=False)
    before = clock.now()
    shortest = dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", DurationSeconds=900)
    assert timedelta(seconds=890) <= shortest["Credentials"]["Expiration"] - before \
        <= timedelta(seconds=910)
    longest = dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s2", DurationSeconds=7200)
    assert longest["Credentials"]["Expiration"] - before >= timedelta(seconds=7190)
    with pytest.raises(dev_sts.exceptions.ClientError) as too_long:
        dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s3", DurationSeconds=7201)
    assert error(too_long) == (
        "ValidationError", 400,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    with pytest.raises(dev_sts.exceptions.ClientError) as too_short:
        dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s4", DurationSeconds=899)
    code, status, message = error(too_short)
    assert (code, status) == ("ValidationError", 400)
    assert "durationSeconds" in message


def test_a_session_policy_narrows_the_roles_permissions(aws_client, dev_sts):
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:user/dev"))
    narrowed = dev_sts.assume_role(
        RoleArn=ROLE_ARN, RoleSessionName="narrow",
        Policy=policy_json(allow("iam:ListUsers")),
    )
    assert narrowed["PackedPolicySize"] > 0
    session_iam = session_client(aws_client, "iam", narrowed["Credentials"])
    assert session_iam.list_users()["Users"]
    with pytest.raises(session_iam.exceptions.ClientError) as denied:
        session_iam.get_user(UserName="dev")  # the role allows it, the session policy does not
    code, status, message = error(denied)
    assert (code, status) == ("AccessDenied", 403)
    assert "no session policy allows the iam:GetUser action" in message
    # A session policy can never widen: iam:CreateUser is not in the role's policy.
    wider = dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="wide",
                                Policy=policy_json(allow("*")))
    with pytest.raises(session_iam.exceptions.ClientError):
        session_client(aws_client, "iam", wider["Credentials"]).create_user(UserName="x")


def test_policy_arns_narrow_the_session(aws_client, dev_sts):
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:user/dev"))
    managed = iam.create_policy(Caller.system("test"), "OnlyGetUser",
                                policy_json(allow("iam:GetUser")))
    result = dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="arns",
                                 PolicyArns=[{"arn": managed.arn}])
    session_iam = session_client(aws_client, "iam", result["Credentials"])
    assert session_iam.get_user(UserName="dev")["User"]["UserName"] == "dev"
    with pytest.raises(session_iam.exceptions.ClientError) as denied:
        session_iam.list_users()
    assert error(denied)[:2] == ("AccessDenied", 403)


def test_a_malformed_session_policy_is_rejected(dev_sts):
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:user/dev"))
    with pytest.raises(dev_sts.exceptions.MalformedPolicyDocumentException) as bad:
        dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", Policy='{"Statement": 7}')
    assert error(bad)[:2] == ("MalformedPolicyDocument", 400)


def test_temporary_credentials_stop_working_when_they_expire(aws_client, dev_sts):
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:user/dev"))
    credentials = dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="short",
                                      DurationSeconds=900)["Credentials"]
    session_iam = session_client(aws_client, "iam", credentials)
    session_sts = session_client(aws_client, "sts", credentials)
    assert session_iam.list_users()["Users"]
    with time_machine.travel(clock.now() + timedelta(seconds=899)):
        assert session_sts.get_caller_identity()["Arn"].endswith("/deployer/short")
    with time_machine.travel(clock.now() + timedelta(seconds=901)):
        for client, call in ((session_iam, "list_users"), (session_sts, "get_caller_identity")):
            with pytest.raises(client.exceptions.ClientError) as expired:
                getattr(client, call)()
            assert error(expired) == ("ExpiredToken", 403,
                                      "The security token included in the request is expired")


def test_a_wrong_session_token_is_rejected(aws_client, dev_sts):
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:user/dev"))
    credentials = dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1")["Credentials"]
    forged = session_client(aws_client, "sts", {**credentials, "SessionToken": "forged"})
    with pytest.raises(forged.exceptions.ClientError) as bad:
        forged.get_caller_identity()
    assert error(bad)[:2] == ("InvalidClientTokenId", 403)


def test_temporary_credentials_work_for_the_rest_api(live_server, dev_sts):
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:user/dev"))
    credentials = dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="rest")["Credentials"]
    url = f"{live_server.url}/api/v1/users/"
    signed = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                          credentials["SessionToken"]), "iam", "us-east-1").add_auth(signed)
    request = urllib.request.Request(url, headers=dict(signed.headers.items()))
    with urllib.request.urlopen(request) as response:  # the role may ListUsers
        body = json.loads(response.read())
    assert "dev" in json.dumps(body)


def test_get_caller_identity_is_allowed_even_under_an_explicit_deny(aws_client):
    make_user("denied", policy=policy_json(deny("*")))
    denied_sts = aws_client("sts", *create_keys("denied"))
    who = denied_sts.get_caller_identity()
    user = User.objects.get(name="denied")
    assert who["UserId"] == user.user_id and who["Account"] == ACCOUNT
    assert who["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/denied"


def test_get_session_token_credentials_are_limited_without_mfa(aws_client, dev_sts):
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:user/dev"))
    before = clock.now()
    credentials = dev_sts.get_session_token()["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert credentials["Expiration"] - before >= timedelta(seconds=43190)  # default 12 hours
    session_sts = session_client(aws_client, "sts", credentials)
    assert session_sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/dev"
    assert session_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="from-gst")["Credentials"]
    with pytest.raises(session_sts.exceptions.ClientError) as again:
        session_sts.get_session_token()
    assert error(again)[:2] == ("AccessDenied", 403)
    with pytest.raises(session_sts.exceptions.ClientError) as no_mfa:
        session_client(aws_client, "iam", credentials).get_user()
    assert error(no_mfa)[:2] == ("AccessDenied", 403)


def test_role_chaining_is_limited_to_one_hour(aws_client, dev_sts):
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:user/dev"),
              policy=policy_json(allow("sts:AssumeRole")))
    make_role(trust(f"arn:aws:iam::{ACCOUNT}:role/deployer"), name="second", max_session=7200)
    first = dev_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="one")["Credentials"]
    chained = session_client(aws_client, "sts", first)
    second_arn = f"arn:aws:iam::{ACCOUNT}:role/second"
    with pytest.raises(chained.exceptions.ClientError) as too_long:
        chained.assume_role(RoleArn=second_arn, RoleSessionName="two", DurationSeconds=7200)
    assert error(too_long)[:2] == ("ValidationError", 400)
    result = chained.assume_role(RoleArn=second_arn, RoleSessionName="two")
    assert result["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/second/two"
