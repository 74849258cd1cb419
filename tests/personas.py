"""Test personas and policy helpers, importable from any test module (`from personas import …`).

Django-dependent imports happen inside the helpers, so tests of the pure-Python packages
(tests/policy, sigv4, protocol) can run with `-p no:django`.
"""

from __future__ import annotations

import json

from iamconsole.iam.caller import Caller

PASSWORD = "Correct-Horse-9!"


def policy_json(*statements: dict, version: str = "2012-10-17") -> str:
    return json.dumps({"Version": version, "Statement": list(statements)}, indent=2)


def allow(action="*", resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action="*", resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


ADMIN_POLICY = policy_json(allow("*", "*"))
READ_ONLY_POLICY = policy_json(allow(["iam:Get*", "iam:List*", "iam:Simulate*"], "*"))


def make_user(name: str, *, policy: str | None = None, password: str | None = PASSWORD,
              path: str = "/"):
    """A user created through the domain layer, with an optional inline policy and password."""
    from iamconsole.iam import services as iam
    from iamconsole.iam.models import User

    caller = Caller.system("test")
    user = iam.create_user(caller, name, path=path)
    if policy:
        iam.put_user_policy(caller, name, "inline", policy)
    if password:
        iam.create_login_profile(caller, name, password)
    return User.objects.get(pk=user.pk)


def caller_for(user, **kwargs) -> Caller:
    return Caller(user=user, auth_method=kwargs.pop("auth_method", "test"), **kwargs)
