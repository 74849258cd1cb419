"""authz.decide for a root user's temporary credentials: a root user is allowed everything
unless something limits it, and the session it holds may (an AssumeRoot session's task
policy, a session policy)."""

import json
from datetime import timedelta

import pytest

from iamconsole.iam import authz, clock, task_policies
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import TemporaryCredential

pytestmark = pytest.mark.django_db

ROOT_ARN = "arn:aws:iam::123456789012:root"
USER_ARN = "arn:aws:iam::123456789012:user/bob"


def session_of(user, **fields) -> Caller:
    now = clock.now()
    credential = TemporaryCredential.objects.create(
        access_key_id="ASIA" + "R" * 16, secret_encrypted="x", session_token_hash="x",
        user=user, created_at=now, expires_at=now + timedelta(minutes=15), **fields)
    return Caller(user=user, credential=credential, auth_method="query")


def test_a_root_user_without_a_session_is_not_limited(root_user):
    caller = Caller(user=root_user, auth_method="query")
    assert authz.decide(caller, "iam:CreateUser", USER_ARN) is None


def test_a_task_policy_limits_a_root_session_to_its_actions_on_the_root_user(root_user):
    caller = session_of(root_user,
                        session_policy_arns=[task_policies.PREFIX + "IAMDeleteRootUserCredentials"])
    assert caller.task_policy_arn.endswith("IAMDeleteRootUserCredentials")
    assert authz.is_allowed(caller, "iam:DeleteAccessKey", ROOT_ARN)
    assert not authz.is_allowed(caller, "iam:DeleteAccessKey", USER_ARN)  # not the root user
    assert not authz.is_allowed(caller, "iam:CreateUser", USER_ARN)  # not its task
    decision = authz.decide(caller, "iam:CreateUser", USER_ARN)
    assert decision.decision == "explicitDeny"


def test_a_session_policy_limits_a_root_session(root_user):
    caller = session_of(root_user, session_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}]}))
    assert caller.task_policy_arn is None
    assert authz.is_allowed(caller, "iam:ListUsers", "*")
    assert not authz.is_allowed(caller, "iam:CreateUser", USER_ARN)


def test_an_ordinary_root_session_is_not_limited(root_user):
    caller = session_of(root_user)  # GetSessionToken: no policy
    assert authz.decide(caller, "iam:CreateUser", USER_ARN) is None
