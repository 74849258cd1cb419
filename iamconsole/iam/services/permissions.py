"""Attached managed policies and inline policies of users, groups and roles:
Attach/Detach{User,Group,Role}Policy, ListAttached{User,Group,Role}Policies,
Put/Get/Delete/List{User,Group,Role}Policy(ies).

The three identity kinds follow the same rules; AWS's per-kind action names are derived from the
kind ("User", "Group", "Role").
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .. import audit, authz, clock, kinds
from ..caller import Caller
from ..errors import LimitExceeded, NoSuchEntity, PolicyNotAttachable, ValidationError
from ..kinds import Kind
from ..models import ManagedPolicy
from ._common import (
    INLINE_MAX_CHARS,
    MAX_MANAGED_POLICIES_PER_IDENTITY,
    check_policy_document,
    non_whitespace_length,
    operation,
    validate_name,
)
from .lookup import referenced_policy
from .roles import check_modifiable


def _identity(kind: str, name: str, caller: Caller, action: str) -> tuple[Kind, Any]:
    """The kind (kinds.IDENTITIES) and the entity; a missing one is authorized first for
    `action` ("iam:Attach{noun}Policy"), so that a caller without the right learns nothing."""
    spec = kinds.IDENTITIES[kind]
    return spec, spec.find(name, caller, action.format(noun=spec.noun))


def _modifiable(entity: Any) -> None:
    """A service-linked role's policies are its service's: UnmodifiableEntity (after the request
    is authorized, as AWS answers)."""
    if getattr(entity, "is_service_linked", False):
        check_modifiable(entity)


def _owned(model: Any, spec: Kind, entity: Any, **filters: Any) -> QuerySet:
    """The rows of `model` (the kind's attachment or inline model) that belong to `entity`."""
    return model.objects.filter(**{spec.owner_field: entity}, **filters)


def _attachment_request(caller: Caller, template: str, kind: str, name: str,
                        policy_arn: str) -> tuple[Kind, Any, str, ManagedPolicy]:
    """Attach/Detach{noun}Policy, authorized: (kind, entity, action, policy). A missing policy
    is told only after authorizing the request, with the ARN asked for as iam:PolicyARN (no
    existence oracle)."""
    spec, entity = _identity(kind, name, caller, template)
    action = spec.action(template.removeprefix("iam:"))
    policy = referenced_policy(caller, action, entity.arn, "iam:PolicyARN", policy_arn)
    authz.check(caller, action, entity.arn, {"iam:PolicyARN": policy.arn})
    _modifiable(entity)
    return spec, entity, action, policy


@operation
def attach_policy(caller: Caller, kind: str, name: str, policy_arn: str) -> None:
    spec, entity, action, policy = _attachment_request(caller, "iam:Attach{noun}Policy", kind,
                                                       name, policy_arn)
    if not policy.versions.filter(is_default=True).exists():
        raise PolicyNotAttachable(f"Policy {policy.arn} is not attachable.")
    # Lock the identity row so two concurrent attachments cannot both pass the quota check.
    type(entity).objects.select_for_update().filter(pk=entity.pk).first()
    existing = _owned(spec.attachment_model, spec, entity)
    if existing.filter(policy=policy).exists():
        return  # AWS: attaching an attached policy succeeds and changes nothing
    if existing.count() >= MAX_MANAGED_POLICIES_PER_IDENTITY:
        raise LimitExceeded(
            f"Cannot exceed quota for PoliciesPer{spec.noun}: {MAX_MANAGED_POLICIES_PER_IDENTITY}."
        )
    spec.attachment_model.objects.create(**{spec.owner_field: entity, "policy": policy})
    audit.record(caller, action, resource_type=spec.key, resource_name=entity.name,
                 resource_arn=entity.arn, new={"PolicyArn": policy.arn})


@operation
def attach_policies(caller: Caller, kind: str, name: str, policy_arns: list[str]) -> list[str]:
    """AttachUserPolicy (Group, Role) for each of `policy_arns`, in one change: all are
    attached or, if one is refused (AccessDenied, NoSuchEntity, the quota), none. Each is
    authorized and audited as itself. The ARNs attached, in order, once each."""
    arns_wanted = list(dict.fromkeys(arn for arn in policy_arns if arn))
    if not arns_wanted:
        raise ValidationError("Choose at least one policy.", field="policy_arn")
    for arn in arns_wanted:
        attach_policy(caller, kind, name, arn)
    return arns_wanted


@operation
def detach_policy(caller: Caller, kind: str, name: str, policy_arn: str) -> None:
    spec, entity, action, policy = _attachment_request(caller, "iam:Detach{noun}Policy", kind,
                                                       name, policy_arn)
    deleted, _ = _owned(spec.attachment_model, spec, entity, policy=policy).delete()
    if not deleted:
        raise NoSuchEntity(f"Policy {policy.arn} was not found.")
    audit.record(caller, action, resource_type=spec.key, resource_name=entity.name,
                 resource_arn=entity.arn, old={"PolicyArn": policy.arn})


def list_attached_policies(caller: Caller, kind: str, name: str, *,
                           path_prefix: str | None = None) -> QuerySet[ManagedPolicy]:
    """ListAttached{User,Group,Role}Policies; path_prefix: the policies whose path starts
    with it."""
    spec, entity = _identity(kind, name, caller, "iam:ListAttached{noun}Policies")
    authz.check(caller, f"iam:ListAttached{spec.noun}Policies", entity.arn)
    policies = ManagedPolicy.objects.filter(
        **{f"{spec.key}_attachments__{spec.owner_field}": entity})
    if path_prefix:
        policies = policies.filter(path__startswith=path_prefix)
    return policies.order_by("name")


@operation
def put_inline_policy(caller: Caller, kind: str, name: str, policy_name: str, document) -> Any:
    spec, entity = _identity(kind, name, caller, "iam:Put{noun}Policy")
    validate_name(policy_name, "inline", "policy_name")
    text = check_policy_document(document)
    action = f"iam:Put{spec.noun}Policy"
    authz.check(caller, action, entity.arn)
    _modifiable(entity)
    type(entity).objects.select_for_update().filter(pk=entity.pk).first()
    others = _owned(spec.inline_model, spec, entity).exclude(name=policy_name)
    total = non_whitespace_length(text) + sum(non_whitespace_length(p.document) for p in others)
    limit = INLINE_MAX_CHARS[spec.key]
    if total > limit:
        raise LimitExceeded(
            f"Maximum policy size of {limit} bytes exceeded for {spec.key} {entity.name}",
            field="policy_document",
        )
    existing = _owned(spec.inline_model, spec, entity, name=policy_name).first()
    old = existing.document if existing else None
    if existing:
        existing.document = text
        existing.updated_at = clock.now()
        existing.save(update_fields=["document", "updated_at"])
        inline = existing
    else:
        inline = spec.inline_model.objects.create(**{spec.owner_field: entity, "name": policy_name,
                                               "document": text})
    audit.record(caller, action, resource_type=spec.key, resource_name=entity.name,
                 resource_arn=entity.arn,
                 old={"PolicyName": policy_name, "PolicyDocument": old} if old else None,
                 new={"PolicyName": policy_name, "PolicyDocument": text})
    return inline


def _find_inline(spec: Kind, entity: Any, policy_name: str) -> Any:
    inline = _owned(spec.inline_model, spec, entity, name=policy_name).first()
    if inline is None:
        raise NoSuchEntity(
            f"The {spec.key} policy with name {policy_name} cannot be found."
        )
    return inline


def get_inline_policy(caller: Caller, kind: str, name: str, policy_name: str) -> Any:
    spec, entity = _identity(kind, name, caller, "iam:Get{noun}Policy")
    authz.check(caller, f"iam:Get{spec.noun}Policy", entity.arn)
    return _find_inline(spec, entity, policy_name)


@operation
def delete_inline_policy(caller: Caller, kind: str, name: str, policy_name: str) -> None:
    spec, entity = _identity(kind, name, caller, "iam:Delete{noun}Policy")
    action = f"iam:Delete{spec.noun}Policy"
    authz.check(caller, action, entity.arn)
    _modifiable(entity)
    inline = _find_inline(spec, entity, policy_name)
    old = {"PolicyName": inline.name, "PolicyDocument": inline.document}
    inline.delete()
    audit.record(caller, action, resource_type=spec.key, resource_name=entity.name,
                 resource_arn=entity.arn, old=old)


def list_inline_policies(caller: Caller, kind: str, name: str) -> QuerySet:
    spec, entity = _identity(kind, name, caller, "iam:List{noun}Policies")
    authz.check(caller, f"iam:List{spec.noun}Policies", entity.arn)
    return _owned(spec.inline_model, spec, entity).order_by("name")


# AWS-named entry points (what the console, REST API and Query API call), per identity kind.

def _aws_named(template: str, operation: Any) -> tuple[Any, ...]:
    """`operation(caller, kind, name, ...)` as one function per identity kind (user, group,
    role) named after AWS's operation: _aws_named("Attach{noun}Policy", attach_policy) ->
    (attach_user_policy, attach_group_policy, attach_role_policy)."""

    def bind(spec: Kind) -> Any:
        def aws_operation(caller: Caller, name: str, *args: Any) -> Any:
            return operation(caller, spec.key, name, *args)

        aws_operation.__name__ = aws_operation.__qualname__ = spec.op_name(template)
        aws_operation.__doc__ = f"{spec.action(template)}: {operation.__name__} for a {spec.key}."
        return aws_operation

    return tuple(bind(spec) for spec in kinds.IDENTITIES.values())


attach_user_policy, attach_group_policy, attach_role_policy = _aws_named(
    "Attach{noun}Policy", attach_policy)
detach_user_policy, detach_group_policy, detach_role_policy = _aws_named(
    "Detach{noun}Policy", detach_policy)
put_user_policy, put_group_policy, put_role_policy = _aws_named("Put{noun}Policy",
                                                                put_inline_policy)
