"""AWS Organizations through the real aws CLI against the live server (keys in the
environment, empty config and credentials files)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from awsapi_helpers import ACCOUNT

pytestmark = pytest.mark.django_db(transaction=True)

AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")


@pytest.fixture
def organizations_cli(live_server, admin_keys, tmp_path):
    if AWS is None:
        pytest.skip("the aws CLI is not installed")
    (tmp_path / "config").write_text("")
    (tmp_path / "credentials").write_text("")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "AWS_ACCESS_KEY_ID": admin_keys[0], "AWS_SECRET_ACCESS_KEY": admin_keys[1],
           "AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
           "AWS_MAX_ATTEMPTS": "1"}

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [AWS, "organizations", *args, "--endpoint-url",
                   f"{live_server.url}/aws/organizations/", "--region", "us-east-1",
                   "--output", "json"]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                                check=False)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    return run


def test_aws_cli_organizations_scenario(organizations_cli, tmp_path):
    run = organizations_cli
    missing = run("describe-organization", check=False)
    assert missing.returncode != 0 and "AWSOrganizationsNotInUseException" in missing.stderr
    made = json.loads(run("create-organization", "--feature-set", "ALL").stdout)
    assert made["Organization"]["MasterAccountId"] == ACCOUNT
    status = json.loads(run("create-account", "--email", "cli@example.com", "--account-name",
                            "cli").stdout)["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED"
    accounts = json.loads(run("list-accounts").stdout)["Accounts"]
    assert {a["Id"] for a in accounts} == {ACCOUNT, status["AccountId"]}
    root = json.loads(run("list-roots").stdout)["Roots"][0]["Id"]
    run("enable-policy-type", "--root-id", root, "--policy-type", "SERVICE_CONTROL_POLICY")
    document = tmp_path / "scp.json"
    document.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}]}))
    policy = json.loads(run("create-policy", "--name", "NoEC2", "--description", "",
                            "--type", "SERVICE_CONTROL_POLICY", "--content",
                            f"file://{document}").stdout)["Policy"]["PolicySummary"]
    run("attach-policy", "--policy-id", policy["Id"], "--target-id", status["AccountId"])
    attached = json.loads(run("list-policies-for-target", "--target-id", status["AccountId"],
                              "--filter", "SERVICE_CONTROL_POLICY").stdout)["Policies"]
    assert {p["Name"] for p in attached} == {"FullAWSAccess", "NoEC2"}
    in_use = run("delete-policy", "--policy-id", policy["Id"], check=False)
    assert "PolicyInUseException" in in_use.stderr
