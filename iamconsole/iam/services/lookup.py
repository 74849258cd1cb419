"""Finding entities by name or ARN, with AWS's NoSuchEntity / InvalidInput errors."""

from __future__ import annotations

import re

from .. import identifiers as ids
from ..errors import InvalidInput, NoSuchEntity
from ..models import ManagedPolicy

_POLICY_ARN = re.compile(
    r"^arn:aws:iam::(?P<account>\d{12}|aws):policy(?P<path>/(?:.*/)?)(?P<name>[^/]+)$"
)


def parse_policy_arn(arn: str) -> tuple[str, str, bool]:
    """(path, name, is_aws_managed) of a managed policy ARN."""
    match = _POLICY_ARN.match(arn or "")
    if not match:
        raise InvalidInput(f"ARN {arn} is not valid.", field="policy_arn")
    account = match["account"]
    if account not in ("aws", ids.account_id()):
        raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
    return match["path"], match["name"], account == "aws"


def get_policy_by_arn(arn: str, *, for_update: bool = False) -> ManagedPolicy:
    path, name, aws_managed = parse_policy_arn(arn)
    qs = ManagedPolicy.objects.filter(name=name, path=path, is_aws_managed=aws_managed)
    if for_update:
        qs = qs.select_for_update()
    policy = qs.first()
    if policy is None:
        raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
    return policy
