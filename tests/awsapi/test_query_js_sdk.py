"""A second SDK's serializers and parsers check the wire format: the AWS SDK for JavaScript v3
(@aws-sdk/client-iam, @aws-sdk/client-sts from npm, pinned in tests/js; `make test` installs
them) runs tests/js/scenario.mjs against the live server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from awsapi_helpers import ACCOUNT

JS = Path(__file__).resolve().parent.parent / "js"
NODE = shutil.which("node")
INSTALLED = (JS / "node_modules" / "@aws-sdk" / "client-iam").is_dir()

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def node_scenario(live_server, admin_keys):
    if NODE is None or not INSTALLED:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must run the JavaScript SDK scenario: node and `make js` needed")
        pytest.skip("node or the AWS SDK for JavaScript (make js) is not installed")

    def run() -> dict:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(JS),
               "ENDPOINT": live_server.url, "AWS_ACCESS_KEY_ID": admin_keys[0],
               "AWS_SECRET_ACCESS_KEY": admin_keys[1], "AWS_CONFIG_FILE": os.devnull,
               "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
        result = subprocess.run([NODE, "scenario.mjs"], cwd=JS, env=env, capture_output=True,
                                text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    return run


def test_the_javascript_sdk_drives_iam_and_sts(node_scenario):
    seen = node_scenario()
    assert seen["callerArn"] == f"arn:aws:iam::{ACCOUNT}:user/admin"
    assert seen["account"] == ACCOUNT
    assert seen["userArn"] == f"arn:aws:iam::{ACCOUNT}:user/js/js-user"
    assert seen["createDateIsDate"] and seen["expirationIsDate"]
    assert (seen["got"], seen["listed"], seen["members"]) == ("js-user", ["js-user"],
                                                              ["js-user"])
    assert sorted(seen["tags"], key=lambda t: t["Key"]) == [  # PostgreSQL's jsonb sorts keys
        {"Key": "cost", "Value": "42"}, {"Key": "team", "Value": "web"}]
    assert seen["policyArn"] == f"arn:aws:iam::{ACCOUNT}:policy/js-policy"
    assert seen["attached"] == ["js-policy"]
    assert seen["profileRoles"] == ["js-role"]
    assert seen["assumedArn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/js-role/js-session"
    assert seen["missing"] == {"name": "NoSuchEntityException", "status": 404}
    assert seen["deleteConflict"] == {"name": "DeleteConflictException", "status": 409}
