"""AWS's classic IAM walk-through with the real aws CLI, unchanged: a user in a group with an
attached policy, a virtual MFA device enabled with two consecutive codes, the account password
policy from AWS's JSON fields, and an instance profile holding a role."""

from __future__ import annotations

import json
import time

import pyotp
import pytest
from awsapi_helpers import ACCOUNT
from test_query_cli import aws_cli  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)

POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "arn:aws:s3:::example-bucket"}]}
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
PASSWORD_POLICY = {"MinimumPasswordLength": 12, "RequireSymbols": True, "RequireNumbers": True,
                   "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
                   "AllowUsersToChangePassword": True, "MaxPasswordAge": 90,
                   "PasswordReusePrevention": 5, "HardExpiry": False}


def test_the_classic_cli_walkthrough(aws_cli, tmp_path):  # noqa: F811
    def cli(*args):
        return json.loads(aws_cli("iam", *args).stdout or "{}")

    cli("create-user", "--user-name", "Bob")
    cli("create-group", "--group-name", "Admins")
    cli("add-user-to-group", "--user-name", "Bob", "--group-name", "Admins")
    assert [g["GroupName"] for g in cli("list-groups-for-user", "--user-name", "Bob")["Groups"]] \
        == ["Admins"]

    (tmp_path / "policy.json").write_text(json.dumps(POLICY))
    policy = cli("create-policy", "--policy-name", "ListExampleBucket", "--policy-document",
                 f"file://{tmp_path / 'policy.json'}")["Policy"]
    cli("attach-group-policy", "--group-name", "Admins", "--policy-arn", policy["Arn"])
    attached = cli("list-attached-group-policies", "--group-name", "Admins")
    assert [p["PolicyArn"] for p in attached["AttachedPolicies"]] == [policy["Arn"]]

    seed_file = tmp_path / "seed.txt"
    device = cli("create-virtual-mfa-device", "--virtual-mfa-device-name", "BobsMFADevice",
                 "--outfile", str(seed_file), "--bootstrap-method", "Base32StringSeed")
    serial = device["VirtualMFADevice"]["SerialNumber"]
    assert serial == f"arn:aws:iam::{ACCOUNT}:mfa/BobsMFADevice"
    totp = pyotp.TOTP(seed_file.read_text().strip())
    now = time.time()
    cli("enable-mfa-device", "--user-name", "Bob", "--serial-number", serial,
        "--authentication-code1", totp.at(now - 30), "--authentication-code2", totp.at(now))
    devices = cli("list-mfa-devices", "--user-name", "Bob")["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [serial]

    (tmp_path / "password-policy.json").write_text(json.dumps(PASSWORD_POLICY))
    cli("update-account-password-policy", "--cli-input-json",
        f"file://{tmp_path / 'password-policy.json'}")
    got = cli("get-account-password-policy")["PasswordPolicy"]
    assert {k: got[k] for k in PASSWORD_POLICY} == PASSWORD_POLICY
    assert got["ExpirePasswords"] is True

    (tmp_path / "trust.json").write_text(json.dumps(TRUST))
    cli("create-role", "--role-name", "WebServer", "--assume-role-policy-document",
        f"file://{tmp_path / 'trust.json'}")
    cli("create-instance-profile", "--instance-profile-name", "WebServerProfile")
    cli("add-role-to-instance-profile", "--instance-profile-name", "WebServerProfile",
        "--role-name", "WebServer")
    aws_cli("iam", "wait", "instance-profile-exists", "--instance-profile-name",
            "WebServerProfile")
    profile = cli("get-instance-profile", "--instance-profile-name",
                  "WebServerProfile")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["WebServer"]
    assert profile["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/WebServerProfile"
