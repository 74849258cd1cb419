"""The dashboard's security posture: a root user without MFA is the first warning."""

from __future__ import annotations

import pyotp
import pytest
from personas import ADMIN_POLICY, PASSWORD, caller_for, make_user

from iamconsole.iam import clock
from iamconsole.iam import services as iam
from iamconsole.iam.models import User
from iamconsole.iam.posture import security_posture
from tests.console.console_support import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", PASSWORD)


def _enroll(root) -> None:
    caller = caller_for(root)
    new = iam.create_virtual_mfa_device(caller, "root-account-mfa-device")
    totp = pyotp.TOTP(new.base32_seed)
    now = clock.now().timestamp()
    iam.enable_mfa_device(caller, "", new.device.serial_number, totp.at(now - 30), totp.at(now))


def test_root_without_mfa_is_the_first_finding(root):
    first = security_posture()[0]
    assert first.title == "Root user without MFA"
    assert first.count == 1 and first.rows == [("root", "root user, no MFA device")]


def test_root_with_mfa_clears_the_finding(root):
    _enroll(root)
    first = security_posture()[0]
    assert first.title == "Root user without MFA" and first.ok


def test_the_dashboard_shows_it_first(root):
    make_user("target")
    page = client_for(make_user("admin", policy=ADMIN_POLICY)).get("/").content.decode()
    assert page.index("Root user without MFA") < page.index("Console users without MFA")
    # An IAM user cannot act on it: the root user's name is not a link to a user page.
    assert 'href="/users/root/' not in page
    root_page = client_for(root).get("/").content.decode()
    assert 'href="/accounts/mfa/">root</a>' in root_page


def test_the_dashboard_warns_while_root_has_an_active_access_key(root):
    admin = client_for(make_user("admin", policy=ADMIN_POLICY))
    assert "root-keys-warning" not in admin.get("/").content.decode()
    key = iam.create_access_key(caller_for(root)).access_key
    for client in (admin, client_for(root)):
        page = client.get("/").content.decode()
        assert "root-keys-warning" in page and key.access_key_id in page
        assert "Warning: the root user has 1 active access key" in page
    # A user who may not read the credential report is not told.
    assert "root-keys-warning" not in client_for(make_user("plain")).get("/").content.decode()
    iam.update_access_key(caller_for(root), key.access_key_id, "Inactive")
    assert "root-keys-warning" not in admin.get("/").content.decode()
