"""Admin-assigned MFA in the console: an administrator creates and enables a virtual MFA device
for another user (QR code and two codes) and resets it; each step needs the caller's IAM
permission."""

from __future__ import annotations

import re
import time

import pyotp
import time_machine

from iamconsole.iam.models import AuditEvent, VirtualMFADevice
from tests.conftest import allow, make_user, policy_json
from tests.console.console_support import client_for


def _assign(client, name="alice"):
    url = f"/users/{name}/mfa/assign/"
    assert client.post(url, {"action": "create"}).status_code == 302
    page = client.get(url).content.decode()
    assert "<svg" in page
    seed = re.search(r'data-testid="mfa-secret">([A-Z2-7]+)<', page).group(1)
    totp = pyotp.TOTP(seed)
    now = int(time.time()) // 30 * 30 + 15  # mid-step, near now: the session stays valid
    with time_machine.travel(now, tick=False):
        return client.post(url, {"action": "enable", "code1": totp.at(now - 30),
                                 "code2": totp.at(now)})


def test_admin_assigns_an_mfa_device_to_another_user(world, admin):
    make_user("alice")
    client = client_for(admin)
    assert "Assign MFA device" in client.get("/users/alice/?tab=credentials").content.decode()
    response = _assign(client)
    assert response.status_code == 302
    assert response["Location"] == "/users/alice/?tab=credentials"
    device = VirtualMFADevice.objects.get()
    assert device.user.name == "alice"
    assert AuditEvent.objects.filter(action="iam:EnableMFADevice",
                                     resource_name="alice").exists()


def test_wrong_codes_are_refused_and_assign_nothing(world, admin):
    make_user("alice")
    client = client_for(admin)
    client.post("/users/alice/mfa/assign/", {"action": "create"})
    response = client.post("/users/alice/mfa/assign/", {"action": "enable", "code1": "000000",
                                                        "code2": "000001"})
    assert response.status_code == 400
    assert VirtualMFADevice.objects.get().user is None


def test_reset_deactivates_and_deletes_the_device(world, admin):
    make_user("alice")
    client = client_for(admin)
    _assign(client)
    serial = VirtualMFADevice.objects.get().serial_number
    response = client.post("/users/alice/mfa/reset/", {"serial_number": serial})
    assert response.status_code == 302
    assert not VirtualMFADevice.objects.exists()
    assert AuditEvent.objects.filter(action="iam:DeleteVirtualMFADevice").exists()


def test_assigning_needs_the_permission(world, system):
    make_user("alice")
    helper = make_user("helper", policy=policy_json(allow(["iam:Get*", "iam:List*"])))
    client = client_for(helper)
    assert "Assign MFA device" not in client.get(
        "/users/alice/?tab=credentials").content.decode()
    assert client.post("/users/alice/mfa/assign/", {"action": "create"}).status_code == 403
    assert not VirtualMFADevice.objects.exists()


def test_a_helper_allowed_to_enable_but_not_create_is_refused(world, system):
    make_user("alice")
    helper = make_user("helper", policy=policy_json(allow(["iam:EnableMFADevice", "iam:Get*",
                                                           "iam:List*"])))
    response = client_for(helper).post("/users/alice/mfa/assign/", {"action": "create"})
    assert response.status_code == 403
    assert not VirtualMFADevice.objects.exists()
