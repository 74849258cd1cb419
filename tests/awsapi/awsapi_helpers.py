"""Helpers for the Query API tests (importable as `from awsapi_helpers import …`)."""

from __future__ import annotations

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller

ACCOUNT = "123456789012"


def create_keys(user_name: str) -> tuple[str, str]:
    """A new access key of `user_name`, created by the account itself."""
    new = iam.create_access_key(Caller.system("test"), user_name)
    return new.access_key.access_key_id, new.secret_access_key


def error(exc_info) -> tuple[str, int, str]:
    """(Code, HTTP status, Message) of a botocore ClientError."""
    response = exc_info.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"]["Message"])


def session_client(aws_client, service: str, credentials: dict, region: str = "us-east-1"):
    """A client signed with the temporary credentials of an AssumeRole/GetSessionToken result."""
    return aws_client(service, credentials["AccessKeyId"], credentials["SecretAccessKey"],
                      credentials["SessionToken"], region)
