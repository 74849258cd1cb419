"""Shared test personas (an admin, a read-only user, an outsider with no policies, the root
user) and helpers. Everything goes through the real domain layer and the real database."""

from __future__ import annotations

import json

import pytest

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


# Django-dependent imports happen inside the helpers, so tests of the pure-Python packages
# (tests/policy, sigv4, protocol) can run with `-p no:django`.


@pytest.fixture
def system() -> Caller:
    """The account itself (management commands, seeding): allowed everything."""
    return Caller.system("test")


def make_user(name: str, *, policy: str | None = None, password: str | None = PASSWORD,
              path: str = "/"):
    from iamconsole.iam import services as iam
    from iamconsole.iam.models import User

    caller = Caller.system("test")
    user = iam.create_user(caller, name, path=path)
    if policy:
        iam.put_user_policy(caller, name, "inline", policy)
    if password:
        iam.create_login_profile(caller, name, password)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def admin(db):
    return make_user("admin", policy=ADMIN_POLICY)


@pytest.fixture
def reader(db):
    return make_user("reader", policy=READ_ONLY_POLICY)


@pytest.fixture
def outsider(db):
    return make_user("outsider")


@pytest.fixture
def root_user(db):
    from iamconsole.iam.models import User

    return User.objects.create_superuser("root", PASSWORD)


def caller_for(user, **kwargs) -> Caller:
    return Caller(user=user, auth_method=kwargs.pop("auth_method", "test"), **kwargs)


@pytest.fixture
def admin_caller(admin) -> Caller:
    return caller_for(admin)


@pytest.fixture
def reader_caller(reader) -> Caller:
    return caller_for(reader)


@pytest.fixture
def outsider_caller(outsider) -> Caller:
    return caller_for(outsider)
