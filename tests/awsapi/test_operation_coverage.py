"""Coverage guard: every operation of botocore's IAM and STS models is answered.

Each operation is sent once through the Query API, signed with the root user's access key,
with minimal valid-looking parameters generated from the model. It must not answer
InvalidAction (the operation is missing) unless it is in PENDING below, where other work adds
it; and no request may answer a 5xx (bad input is a 400 with AWS's code, never a failure).
Partner-only operations answer OptInRequired (README, "Using it from AWS tools").

When an operation of PENDING is built, remove it from the list: the guard then keeps it built.
When botocore adds an operation, this test fails until it is built or listed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import botocore.session
import pytest
from awsapi_helpers import ACCOUNT
from botocore.exceptions import ClientError

from iamconsole.awsapi import unavailable
from iamconsole.iam import crypto
from iamconsole.iam import identifiers as ids
from iamconsole.iam.models import AccessKey

PENDING: dict[str, set[str]] = {}  # every operation of the models is built
PENDING_OPERATIONS = set().union(*PENDING.values())

_SESSION = botocore.session.get_session()
MODELS = {service: _SESSION.get_service_model(service) for service in ("iam", "sts")}
DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})


def _string(name: str, shape) -> str:
    if shape.enum:
        return shape.enum[0]
    lowered = name.lower()
    if "document" in lowered or name in ("Policy", "ResourcePolicy"):
        return DOCUMENT
    if name == "SerialNumber":
        return f"arn:aws:iam::{ACCOUNT}:mfa/guard"
    if name == "AccessKeyId":
        return "AKIA" + "A" * 16
    if lowered.endswith("arn") or lowered.endswith("arns"):
        return f"arn:aws:iam::{ACCOUNT}:role/guard"
    if "path" in lowered:
        return "/"
    value = "guard"
    minimum = shape.metadata.get("min", 1)
    if len(value) < minimum:
        value = value + "a" * (minimum - len(value))
    return value[: shape.metadata.get("max", len(value))]


def sample(name: str, shape):
    """A minimal value of `shape`: its required members only, one element per list."""
    kind = shape.type_name
    if kind == "structure":
        return {member: sample(member, shape.members[member])
                for member in shape.required_members}
    if kind == "list":
        return [sample(name, shape.member)]
    if kind == "map":
        return {"Guard/Key" if name == "Properties" else "guard": sample(name, shape.value)}
    if kind == "string":
        return _string(name, shape)
    if kind in ("integer", "long"):
        return max(int(shape.metadata.get("min", 1)), 1)
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return datetime(2025, 1, 1, tzinfo=UTC)
    if kind == "blob":
        return b"guard"
    return None


def operations() -> list[tuple[str, str]]:
    return [(service, name) for service, model in MODELS.items()
            for name in model.operation_names]


def _label(service: str, operation: str) -> str:
    return operation if service == "iam" else f"{service}:{operation}"


def test_pending_lists_only_operations_of_the_models():
    known = {_label(s, o) for s, o in operations()}
    assert known >= PENDING_OPERATIONS, sorted(PENDING_OPERATIONS - known)


@pytest.fixture
def root_clients(aws_client, root_user):
    secret = ids.new_secret_access_key()
    key = AccessKey.objects.create(access_key_id=ids.new_access_key_id(), user=root_user,
                                   secret_encrypted=crypto.encrypt(secret))
    return {service: aws_client(service, key.access_key_id, secret, validate=False)
            for service in MODELS}


def _method(client, operation: str):
    """The boto3 method of `operation` (CreateSAMLProvider -> create_saml_provider)."""
    return getattr(client, {v: k for k, v in client.meta.method_to_api_mapping.items()}[
        operation])


def _answer(client, operation: str, params: dict) -> tuple[str, int]:
    method = _method(client, operation)
    try:
        method(**params)
    except ClientError as exc:
        return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]
    return "OK", 200


def test_every_operation_is_answered(root_clients):
    missing, failing, unexpected_pending = [], [], []
    for service, operation in operations():
        model = MODELS[service].operation_model(operation)
        params = sample(operation, model.input_shape) if model.input_shape else {}
        code, status = _answer(root_clients[service], operation, params)
        label = _label(service, operation)
        # An unsigned operation (AssumeRoleWithSAML...) that iamconsole does not build is
        # refused at authentication, before its action is looked up.
        built = code != "InvalidAction" and not (
            model.auth_type == "none" and code == "MissingAuthenticationToken")
        if status >= 500:
            failing.append(f"{label}: {code} {status}")
        if not built and label not in PENDING_OPERATIONS:
            missing.append(label)
        if built and label in PENDING_OPERATIONS:
            unexpected_pending.append(label)
    assert not missing, f"operations answering InvalidAction: {missing}"
    assert not failing, f"operations answering a server error: {failing}"
    # Built since PENDING was written: take them out of the list.
    assert not unexpected_pending, f"built but still listed as pending: {unexpected_pending}"


@pytest.mark.parametrize("service, operation", sorted(
    [("iam", o) for o in unavailable.IAM] + [("sts", o) for o in unavailable.STS]))
def test_partner_only_operations_answer_opt_in_required(root_clients, service, operation):
    model = MODELS[service].operation_model(operation)
    params = sample(operation, model.input_shape) if model.input_shape else {}
    with pytest.raises(ClientError) as refused:
        _method(root_clients[service], operation)(**params)
    error = refused.value.response["Error"]
    assert (error["Code"], refused.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "OptInRequired", 403)
    assert f"{operation} is not available" in error["Message"]
