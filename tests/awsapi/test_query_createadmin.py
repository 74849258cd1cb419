"""The access key `manage.py createadmin NAME --access-key` prints signs boto3 calls of an
administrator."""

from __future__ import annotations

import io
import re

from awsapi_helpers import ACCOUNT
from django.core.management import call_command


def test_createadmin_key_works_with_boto3(aws_client, db):
    out = io.StringIO()
    call_command("createadmin", "boss", "--access-key", stdout=out)
    key_id = re.search(r"AccessKeyId: (\S+)", out.getvalue())[1]
    secret = re.search(r"SecretAccessKey \(shown once\): (\S+)", out.getvalue())[1]
    boss_iam = aws_client("iam", key_id, secret)
    assert boss_iam.get_user()["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/boss"
    boss_iam.create_user(UserName="made-by-boss")
    assert {u["UserName"] for u in boss_iam.list_users()["Users"]} == {"boss", "made-by-boss"}
    identity = aws_client("sts", key_id, secret).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/boss"
