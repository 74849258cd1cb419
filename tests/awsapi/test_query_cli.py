"""One scenario through the real aws CLI (awsconfig-free: keys in the environment, empty config
and credentials files), against the live server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from awsapi_helpers import ACCOUNT

AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")


@pytest.fixture
def aws_cli(live_server, admin_keys, tmp_path):
    if AWS is None:
        pytest.skip("the aws CLI is not installed")
    (tmp_path / "config").write_text("")
    (tmp_path / "credentials").write_text("")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": admin_keys[0],
        "AWS_SECRET_ACCESS_KEY": admin_keys[1],
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_MAX_ATTEMPTS": "1",
    }

    def run(service: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [AWS, service, *args, "--endpoint-url", f"{live_server.url}/aws/{service}/",
                   "--region", "us-east-1", "--output", "json"]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                                check=False)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    return run


def test_aws_cli_scenario(aws_cli, tmp_path):
    created = json.loads(aws_cli("iam", "create-user", "--user-name", "cli-user",
                                 "--tags", "Key=team,Value=platform").stdout)
    assert created["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/cli-user"
    # awscli v1 prints the wire timestamp verbatim: ISO 8601, UTC, seconds.
    assert created["User"]["CreateDate"].endswith("Z")

    listed = json.loads(aws_cli("iam", "list-users", "--page-size", "1").stdout)
    assert [u["UserName"] for u in listed["Users"]] == ["admin", "cli-user"]

    who = json.loads(aws_cli("sts", "get-caller-identity").stdout)
    assert who["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/admin" and who["Account"] == ACCOUNT

    png = tmp_path / "qr.png"
    device = json.loads(aws_cli("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name",
                                "cli-phone", "--outfile", str(png), "--bootstrap-method",
                                "QRCodePNG").stdout)
    assert device["VirtualMFADevice"]["SerialNumber"] == f"arn:aws:iam::{ACCOUNT}:mfa/cli-phone"
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    missing = aws_cli("iam", "get-user", "--user-name", "nobody", check=False)
    assert missing.returncode != 0
    assert "NoSuchEntity" in missing.stderr
