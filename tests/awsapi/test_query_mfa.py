"""Virtual MFA through the Query API with real TOTP codes (pyotp) at frozen times, and MFA in
STS (GetSessionToken, AssumeRole). The live server thread shares the process clock, so
time-machine freezes both sides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from awsapi_helpers import ACCOUNT, create_keys, error, session_client
from personas import allow, make_user, policy_json

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import TemporaryCredential

T0 = datetime(2025, 3, 3, 12, 0, 0, tzinfo=UTC)  # a TOTP step boundary
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SERIAL = f"arn:aws:iam::{ACCOUNT}:mfa/dev-phone"


def codes(totp: pyotp.TOTP, at: datetime) -> tuple[str, str]:
    """Two consecutive codes, the second one current at `at`."""
    return totp.at(at - timedelta(seconds=30)), totp.at(at)


def enroll(user_name: str, at: datetime) -> pyotp.TOTP:
    """A device enabled for `user_name` through the domain layer (fixture data)."""
    system = Caller.system("test")
    new = iam.create_virtual_mfa_device(system, "dev-phone")
    totp = pyotp.TOTP(new.base32_seed)
    iam.enable_mfa_device(system, user_name, new.device.serial_number, *codes(totp, at))
    return totp


def test_virtual_mfa_device_lifecycle_with_real_codes(admin_iam):
    admin_iam.create_user(UserName="dev")
    with time_machine.travel(T0, tick=False):
        device = admin_iam.create_virtual_mfa_device(
            VirtualMFADeviceName="dev-phone", Tags=[{"Key": "kind", "Value": "phone"}]
        )["VirtualMFADevice"]
        assert device["SerialNumber"] == SERIAL
        seed = device["Base32StringSeed"].decode("ascii")
        assert len(seed) >= 16 and set(seed) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        assert device["QRCodePNG"].startswith(PNG_MAGIC)
        totp = pyotp.TOTP(seed)

        with pytest.raises(admin_iam.exceptions.InvalidAuthenticationCodeException) as wrong:
            admin_iam.enable_mfa_device(UserName="dev", SerialNumber=SERIAL,
                                        AuthenticationCode1=totp.at(T0),
                                        AuthenticationCode2=totp.at(T0 - timedelta(seconds=30)))
        assert error(wrong)[:2] == ("InvalidAuthenticationCode", 403)
        code1, code2 = codes(totp, T0)
        admin_iam.enable_mfa_device(UserName="dev", SerialNumber=SERIAL,
                                    AuthenticationCode1=code1, AuthenticationCode2=code2)

        listed = admin_iam.list_mfa_devices(UserName="dev")["MFADevices"]
        assert [(d["UserName"], d["SerialNumber"]) for d in listed] == [("dev", SERIAL)]
        assert listed[0]["EnableDate"] == T0
        assigned = admin_iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")
        assert assigned["VirtualMFADevices"][0]["User"]["UserName"] == "dev"
        assert "Base32StringSeed" not in assigned["VirtualMFADevices"][0]  # shown once only
        assert admin_iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")[
            "VirtualMFADevices"] == []

        # The codes just used cannot be used again.
        with pytest.raises(admin_iam.exceptions.InvalidAuthenticationCodeException):
            admin_iam.resync_mfa_device(UserName="dev", SerialNumber=SERIAL,
                                        AuthenticationCode1=code1, AuthenticationCode2=code2)

    later = T0 + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        admin_iam.resync_mfa_device(UserName="dev", SerialNumber=SERIAL,
                                    AuthenticationCode1=codes(totp, later)[0],
                                    AuthenticationCode2=codes(totp, later)[1])
        with pytest.raises(admin_iam.exceptions.DeleteConflictException):
            admin_iam.delete_virtual_mfa_device(SerialNumber=SERIAL)
        admin_iam.deactivate_mfa_device(UserName="dev", SerialNumber=SERIAL)
        assert admin_iam.list_mfa_devices(UserName="dev")["MFADevices"] == []
        admin_iam.delete_virtual_mfa_device(SerialNumber=SERIAL)
        assert admin_iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_malformed_authentication_codes_are_validation_errors(admin_iam):
    admin_iam.create_user(UserName="dev")
    admin_iam.create_virtual_mfa_device(VirtualMFADeviceName="dev-phone")
    with pytest.raises(admin_iam.exceptions.ClientError) as bad:
        admin_iam.enable_mfa_device(UserName="dev", SerialNumber=SERIAL,
                                    AuthenticationCode1="12345a", AuthenticationCode2="123456")
    assert error(bad)[:2] == ("ValidationError", 400)


MFA_ONLY = policy_json(allow("iam:ListUsers", Condition={
    "Bool": {"aws:MultiFactorAuthPresent": "true"}}))


def test_get_session_token_with_mfa_sets_multi_factor_auth_present(aws_client):
    make_user("dev", policy=MFA_ONLY)
    keys = create_keys("dev")
    with time_machine.travel(T0, tick=False):
        totp = enroll("dev", T0)
    later = T0 + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        dev_iam = aws_client("iam", *keys)
        dev_sts = aws_client("sts", *keys)
        with pytest.raises(dev_iam.exceptions.ClientError) as without_mfa:
            dev_iam.list_users()
        assert error(without_mfa)[:2] == ("AccessDenied", 403)

        with pytest.raises(dev_sts.exceptions.ClientError) as wrong_code:
            dev_sts.get_session_token(SerialNumber=SERIAL, TokenCode="000000"
                                      if totp.at(later) != "000000" else "111111")
        assert error(wrong_code) == ("AccessDenied", 403, "MultiFactorAuthentication failed "
                                     "with invalid MFA one time pass code.")

        credentials = dev_sts.get_session_token(SerialNumber=SERIAL, TokenCode=totp.at(later),
                                                DurationSeconds=3600)["Credentials"]
        assert credentials["Expiration"] == later + timedelta(hours=1)
        assert TemporaryCredential.objects.get(
            access_key_id=credentials["AccessKeyId"]).mfa_authenticated
        session_iam = session_client(aws_client, "iam", credentials)
        assert [u["UserName"] for u in session_iam.list_users()["Users"]] == ["dev"]

        with pytest.raises(dev_sts.exceptions.ClientError) as replay:
            dev_sts.get_session_token(SerialNumber=SERIAL, TokenCode=totp.at(later))
        assert error(replay)[:2] == ("AccessDenied", 403)


def test_assume_role_with_mfa_for_a_role_whose_trust_requires_it(aws_client):
    make_user("dev")
    keys = create_keys("dev")
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/admin-mfa"
    iam.create_role(Caller.system("test"), "admin-mfa", policy_json({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/dev"},
        "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    }))
    iam.put_role_policy(Caller.system("test"), "admin-mfa", "p", MFA_ONLY)
    with time_machine.travel(T0, tick=False):
        totp = enroll("dev", T0)
    later = T0 + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        dev_sts = aws_client("sts", *keys)
        with pytest.raises(dev_sts.exceptions.ClientError) as without_mfa:
            dev_sts.assume_role(RoleArn=role_arn, RoleSessionName="s1")
        assert error(without_mfa)[:2] == ("AccessDenied", 403)
        result = dev_sts.assume_role(RoleArn=role_arn, RoleSessionName="s1",
                                     SerialNumber=SERIAL, TokenCode=totp.at(later))
        # The session carries the MFA context: the role's MFA-only permission applies.
        session_iam = session_client(aws_client, "iam", result["Credentials"])
        assert session_iam.list_users()["Users"]


def test_get_mfa_device_and_its_tags(admin_iam):
    admin_iam.create_user(UserName="dev")
    with time_machine.travel(T0, tick=False):
        enroll("dev", T0)
        device = admin_iam.get_mfa_device(SerialNumber=SERIAL, UserName="dev")
    assert (device["UserName"], device["SerialNumber"]) == ("dev", SERIAL)
    assert device["EnableDate"] == T0 and "Certifications" not in device
    with pytest.raises(admin_iam.exceptions.NoSuchEntityException) as missing:
        admin_iam.get_mfa_device(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/none",
                                 UserName="dev")
    assert error(missing)[:2] == ("NoSuchEntity", 404)

    admin_iam.tag_mfa_device(SerialNumber=SERIAL, Tags=[{"Key": "kind", "Value": "phone"},
                                                        {"Key": "owner", "Value": "dev"}])
    tags = admin_iam.list_mfa_device_tags(SerialNumber=SERIAL)["Tags"]
    assert tags == [{"Key": "kind", "Value": "phone"}, {"Key": "owner", "Value": "dev"}]
    admin_iam.untag_mfa_device(SerialNumber=SERIAL, TagKeys=["kind"])
    assert admin_iam.list_mfa_device_tags(SerialNumber=SERIAL)["Tags"] == [
        {"Key": "owner", "Value": "dev"}]
    listed = admin_iam.list_virtual_mfa_devices()["VirtualMFADevices"]
    assert listed[0]["Tags"] == [{"Key": "owner", "Value": "dev"}]
    with pytest.raises(admin_iam.exceptions.NoSuchEntityException):
        admin_iam.list_mfa_device_tags(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/none")


def test_mfa_device_tags_are_authorized_on_the_serial_number(aws_client, db):
    make_user("tagger", policy=policy_json(allow(["iam:ListMFADeviceTags"],
                                                 f"arn:aws:iam::{ACCOUNT}:mfa/mine")))
    system = Caller.system("test")
    iam.create_virtual_mfa_device(system, "mine", tags={"a": "1"})
    iam.create_virtual_mfa_device(system, "other", tags={"b": "2"})
    client = aws_client("iam", *create_keys("tagger"))
    assert client.list_mfa_device_tags(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/mine")[
        "Tags"] == [{"Key": "a", "Value": "1"}]
    for serial in ("other", "missing"):
        with pytest.raises(client.exceptions.ClientError) as denied:
            client.list_mfa_device_tags(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/{serial}")
        assert error(denied)[:2] == ("AccessDenied", 403)
    with pytest.raises(client.exceptions.ClientError) as denied_tag:
        client.tag_mfa_device(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/mine",
                              Tags=[{"Key": "c", "Value": "3"}])
    assert error(denied_tag)[:2] == ("AccessDenied", 403)
