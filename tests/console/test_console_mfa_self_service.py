"""Self-service MFA is offered only when the user's policies allow it: AWS's documented
self-service policy (ManageOwnCredentials, seeded in the demo) lets a user enroll their own
device and nobody else's."""

from __future__ import annotations

import pytest

from iamconsole.iam import errors
from iamconsole.iam import services as iam
from iamconsole.iam.demo import SELF_SERVICE_POLICY
from tests.conftest import caller_for, make_user, policy_json
from tests.console.console_support import client_for


def test_no_set_up_mfa_link_without_the_permission(world):
    plain = make_user("plain", policy=policy_json({"Effect": "Allow",
                                                   "Action": "iam:ChangePassword",
                                                   "Resource": "*"}))
    page = client_for(plain).get("/").content.decode()
    assert "Limited access" in page and "set up MFA" not in page
    assert not iam.may_enroll_own_mfa(caller_for(plain))


def test_self_service_policy_offers_mfa_for_oneself_only(world, system):
    make_user("other")
    bob = make_user("bob", policy=SELF_SERVICE_POLICY)
    caller = caller_for(bob)
    assert iam.may_enroll_own_mfa(caller)
    assert "set up MFA" in client_for(bob).get("/").content.decode()
    new = iam.create_virtual_mfa_device(caller, "bob")  # mfa/${aws:username}
    assert new.device.name == "bob"
    with pytest.raises(errors.AccessDenied):
        iam.create_virtual_mfa_device(caller, "other")
    with pytest.raises(errors.AccessDenied):
        iam.create_access_key(caller, "other")
    assert iam.create_access_key(caller, "bob").access_key.user.name == "bob"
