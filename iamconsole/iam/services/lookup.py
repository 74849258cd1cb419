"""Finding entities by name or ARN, with AWS's NoSuchEntity / InvalidInput errors."""

from __future__ import annotations

from .. import arns, authz
from ..caller import Caller
from ..errors import InvalidInput, NoSuchEntity, ValidationError
from ..models import ManagedPolicy


def authorize_missing(caller: Caller | None, action: str | None, arn: str) -> None:
    """Before answering NoSuchEntity, authorize the caller on the ARN asked for, as AWS
    authorizes a request before it looks its resource up: a caller without the right gets
    AccessDenied whether or not the entity exists, so the answer reveals nothing to it.

    A missing user, group or role has no path; AWS then evaluates the ARN without one, e.g.
    `arn:aws:iam::<account>:user/<name>` (its denial names exactly that resource), which is
    the ARN of the name under the default path `/`. A caller allowed only under some path
    (`user/eng/*`) is therefore denied a missing name, which again tells it nothing. An
    existing entity is authorized by the operation itself, on its real ARN (with its path) and
    with the request's condition keys, before anything else is answered."""
    if caller is not None and action:
        authz.check(caller, action, arn)


def referenced_policy(caller: Caller, action: str, resource: str, key: str,
                      policy_arn: str) -> ManagedPolicy:
    """A managed policy a request names (iam:PolicyARN of an attachment, iam:PermissionsBoundary
    of a boundary): a missing one only after authorizing the request on its resource with the
    ARN asked for as `key`, so that its existence is not told to a caller without the right."""
    try:
        return get_policy_by_arn(policy_arn)
    except NoSuchEntity:
        authz.check(caller, action, resource, {key: policy_arn})
        raise


def parse_policy_arn(arn: str) -> tuple[str, str, bool]:
    """(path, name, is_aws_managed) of a managed policy ARN."""
    parsed = arns.parse_named(arn, "policy", aws=True)
    if parsed is None:
        if not arns.is_arn_shaped(arn):
            raise ValidationError("Invalid ARN: Could not be parsed!", field="policy_arn")
        raise InvalidInput(f"ARN {arn} is not valid.", field="policy_arn")
    aws_managed = parsed.account == arns.AWS_ACCOUNT
    if not (aws_managed or parsed.is_local):
        raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
    return parsed.path, parsed.name, aws_managed


def get_policy_by_arn(arn: str, caller: Caller | None = None, action: str | None = None, *,
                      for_update: bool = False) -> ManagedPolicy:
    """The managed policy `arn` names; with `caller` and `action`, authorized first when it
    does not exist (see authorize_missing)."""
    try:
        path, name, aws_managed = parse_policy_arn(arn)
    except NoSuchEntity:  # another account's policy
        authorize_missing(caller, action, arn)
        raise
    qs = ManagedPolicy.objects.filter(name=name, path=path, is_aws_managed=aws_managed)
    if for_update:
        qs = qs.select_for_update()
    policy = qs.first()
    if policy is None:
        authorize_missing(caller, action, arn)
        raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
    return policy


def policy_arn_by_id(policy_id: str, caller: Caller | None = None, action: str | None = None,
                     *, or_named: bool = False) -> str:
    """The ARN of the managed policy whose PolicyId (ANPA…) is `policy_id`. An unknown PolicyId
    is NoSuchEntity, authorized first for `action` on the ARN a policy named `policy_id` would
    have (see authorize_missing: a caller without the right gets AccessDenied, found or not).
    With `or_named`, an unknown PolicyId gives that ARN instead, for an operation that
    authorizes its own resource before answering NoSuchEntity (detaching a policy: the resource
    is the user, group or role)."""
    arn = next((p.arn for p in ManagedPolicy.objects.filter(policy_id=policy_id)), None)
    if arn is not None:
        return arn
    named = arns.policy(policy_id)
    if or_named:
        return named
    authorize_missing(caller, action, named)
    raise NoSuchEntity(f"Policy {policy_id} does not exist or is not attachable.")
