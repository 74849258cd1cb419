"""The demo's DelegatedUserAdmin, on the real seeded demo data through the domain layer: it may
create users only with DeveloperBoundary and manage the Developers group, and it can put no
boundary on anyone — not on the IAM administrators (which would strip their write rights), not
over a stricter boundary (which would loosen it)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from personas import caller_for

from iamconsole.console.management.commands import seed_demo
from iamconsole.iam import authz
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import AccessDenied, NoSuchEntity
from iamconsole.iam.models import User
from iamconsole.iam.services.policies import policy_arn
from iamconsole.iam.services.users import user_arn

BOUNDARY = policy_arn("DeveloperBoundary")
SYSTEM = Caller.system("test")
STRICT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::dev-docs/*"}]})


@pytest.fixture
def delegated(db):
    call_command("seed_demo")
    return caller_for(User.objects.get(name="delegated-admin"))


def _boundary(name: str) -> str | None:
    user = User.objects.select_related("permissions_boundary").get(name=name)
    return user.permissions_boundary.arn if user.permissions_boundary_id else None


def test_cannot_put_its_boundary_on_the_iam_admin(delegated):
    with pytest.raises(AccessDenied):
        iam.put_user_permissions_boundary(delegated, "dave", BOUNDARY)
    assert _boundary("dave") is None
    authz.check(caller_for(User.objects.get(name="dave")), "iam:CreateUser",
                user_arn("someone", "/"))  # dave keeps his IAM write rights


def test_cannot_reach_the_root_administrator(delegated):
    with pytest.raises((AccessDenied, NoSuchEntity)):
        iam.put_user_permissions_boundary(delegated, seed_demo.ADMIN_NAME, BOUNDARY)
    assert User.objects.get(name=seed_demo.ADMIN_NAME).permissions_boundary_id is None


def test_cannot_loosen_a_stricter_boundary(delegated):
    strict = iam.create_policy(SYSTEM, "StricterBoundary", STRICT)
    iam.put_user_permissions_boundary(SYSTEM, "alice", strict.arn)
    with pytest.raises(AccessDenied):
        iam.put_user_permissions_boundary(delegated, "alice", BOUNDARY)
    assert _boundary("alice") == strict.arn


def test_cannot_change_the_boundary_of_a_user_it_created(delegated):
    iam.create_user(delegated, "newdev", permissions_boundary=BOUNDARY)
    strict = iam.create_policy(SYSTEM, "StricterBoundary", STRICT)
    with pytest.raises(AccessDenied):
        iam.put_user_permissions_boundary(delegated, "newdev", strict.arn)
    with pytest.raises(AccessDenied):
        iam.delete_user_permissions_boundary(delegated, "newdev")
    assert _boundary("newdev") == BOUNDARY


def test_still_creates_bounded_users_and_manages_the_developers_group(delegated):
    iam.create_user(delegated, "newdev", path="/engineering/", permissions_boundary=BOUNDARY)
    assert _boundary("newdev") == BOUNDARY
    iam.add_user_to_group(delegated, "Developers", "newdev")
    iam.remove_user_from_group(delegated, "Developers", "newdev")
    with pytest.raises(AccessDenied):
        iam.create_user(delegated, "unbounded")
    with pytest.raises(AccessDenied):
        iam.add_user_to_group(delegated, "Admins", "newdev")


def test_seed_demo_replaces_the_older_delegated_policy(delegated):
    """Demo data seeded before the fix gets the restricted document on the next seed_demo."""
    loose = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:CreateUser", "iam:PutUserPermissionsBoundary"],
         "Resource": "*",
         "Condition": {"StringEquals": {"iam:PermissionsBoundary": BOUNDARY}}}]})
    iam.create_policy_version(SYSTEM, policy_arn("DelegatedUserAdmin"), loose,
                              set_as_default=True)
    call_command("seed_demo")
    with pytest.raises(AccessDenied):
        iam.put_user_permissions_boundary(delegated, "dave", BOUNDARY)
