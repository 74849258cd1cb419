"""Principals bound by identity, not by name, in the resource-based policies the product stores
(role trust policies, the only ones it keeps).

AWS turns a user or role ARN in a Principal element into the entity's unique id when the policy
is saved and shows the ARN again when it is read; once the entity is deleted the policy shows the
id, and a new entity of the same name (a new id) is not trusted. Here a stored policy keeps the
ARN while the entity exists and gets the id in its place, in the same transaction, when the
entity is deleted (renamed: the new ARN). The engine matches a unique id against no caller.
"""

from __future__ import annotations

import json

from django.db.models import Q

from iamconsole.policy.principals import aws_principals, is_unique_id, replace_aws_principals

from .. import arns, audit
from ..caller import Caller
from ..errors import MalformedPolicyDocument
from ..models import Account, Role, User
from ._common import bump


def _parse_entity_arn(value: str) -> tuple[str, str, str, str] | None:
    """(account, kind, path, name) of a user or role ARN of an account this installation
    holds (this one or another); None for any other principal (root, services, accounts
    elsewhere)."""
    parsed = arns.parse_any(value)
    if (parsed is None or parsed.service != "iam" or parsed.type not in ("user", "role")
            or not parsed.path):
        return None
    if not parsed.is_local and not Account.objects.filter(id=parsed.account).exists():
        return None
    return parsed.account, parsed.type, parsed.path, parsed.name


def _find_entity(value: str) -> User | Role | None:
    """The existing user or role a principal value names (ARN or unique id, in any account
    held here), row-locked so that a concurrent deletion waits for the policy being saved,
    then rewrites it."""
    if is_unique_id(value):
        model, field = (User, "user_id") if value.startswith("AIDA") else (Role, "role_id")
        return model.everywhere.select_for_update().filter(**{field: value}).first()
    account, kind, path, name = _parse_entity_arn(value)  # type: ignore[misc]
    qs = User.everywhere.filter(is_root=False) if kind == "user" else Role.everywhere.all()
    return qs.select_for_update().filter(account_id=account, name__ci=name, path=path).first()


def _invalid(value: str, field: str | None) -> MalformedPolicyDocument:
    return MalformedPolicyDocument(
        f"Invalid principal in policy: \"AWS\":{json.dumps(value)}", field=field)


def bind_principals(document: str, *, field: str | None = None) -> str:
    """A trust policy about to be saved (CreateRole, UpdateAssumeRolePolicy): every same-account
    user or role it names, by ARN or unique id, must exist (AWS: MalformedPolicyDocument
    "Invalid principal in policy"); each is written as the entity's own ARN, as AWS shows it.
    Root, account ids, "*", services and other accounts' principals are kept as they are."""
    names: dict[str, str] = {}
    for value in aws_principals(document):
        if value in names or not (is_unique_id(value) or _parse_entity_arn(value)):
            continue
        entity = _find_entity(value)
        if entity is None:
            raise _invalid(value, field)
        names[value] = entity.arn
    return replace_aws_principals(document, names.get) if names else document


def _names(value: str, entity: User | Role) -> bool:
    parsed = _parse_entity_arn(value)
    if parsed is None:
        return False
    account, kind, path, name = parsed
    return (kind == ("user" if isinstance(entity, User) else "role") and path == entity.path
            and name.lower() == entity.name.lower() and account == entity.account_id)


def _rewrite(caller: Caller, entity: User | Role, new_value: str, why: str) -> None:
    # Names carry no character JSON escapes, so a document naming the entity contains its name,
    # unless the writer escaped characters (a backslash): those documents are parsed too.
    # Trust policies of every account held here: another account's role may trust this entity.
    roles = (Role.everywhere.select_for_update()
             .filter(Q(assume_role_policy_document__icontains=entity.name)
                     | Q(assume_role_policy_document__contains="\\"))
             .order_by("pk"))
    if isinstance(entity, Role):
        roles = roles.exclude(pk=entity.pk)
    for role in roles:
        old = role.assume_role_policy_document
        new = replace_aws_principals(old, lambda v: new_value if _names(v, entity) else None)
        if new == old:
            continue
        role.assume_role_policy_document = new
        bump(role, "assume_role_policy_document")  # new revision: compiled-trust caches miss
        audit.record(caller, "iam:UpdateAssumeRolePolicy", resource_type="role",
                     resource_name=role.name, resource_arn=role.arn,
                     old={"AssumeRolePolicyDocument": old},
                     new={"AssumeRolePolicyDocument": new}, detail=why)


def unbind_deleted_principal(caller: Caller, entity: User | Role) -> None:
    """DeleteUser / DeleteRole: every stored trust policy naming the entity names its unique id
    instead, so that a new entity of the same name is not trusted."""
    unique_id = entity.user_id if isinstance(entity, User) else entity.role_id
    # Lock the entity's row before reading the policies: a concurrent CreateRole or
    # UpdateAssumeRolePolicy naming it either saved first (and is rewritten here) or waits
    # for the deletion and then finds no such principal.
    list(type(entity).objects.select_for_update().filter(pk=entity.pk).values_list("pk"))
    _rewrite(caller, entity, unique_id,
             f"{entity.arn} was deleted: the policy names its unique id {unique_id} instead.")


def unbind_deleted_principals(caller: Caller, entities: list[User] | list[Role]) -> None:
    """unbind_deleted_principal for many users or many roles (a bulk deletion), their rows
    locked by the caller already: the trust policies naming any of them are read in one query
    per 100 names, and each rewrite is saved and audited as a single deletion's would be."""
    if not entities:
        return
    deleted = {entity.pk for entity in entities} if isinstance(entities[0], Role) else set()
    for start in range(0, len(entities), 100):
        chunk = entities[start:start + 100]
        named = Q(assume_role_policy_document__contains="\\")
        for entity in chunk:
            named |= Q(assume_role_policy_document__icontains=entity.name)
        roles = (Role.everywhere.select_for_update().filter(named).exclude(pk__in=deleted)
                 .order_by("pk"))
        for role in roles:
            for entity in chunk:
                unique_id = entity.user_id if isinstance(entity, User) else entity.role_id
                _rewrite_one(caller, role, entity, unique_id,
                             f"{entity.arn} was deleted: the policy names its unique id "
                             f"{unique_id} instead.")


def _rewrite_one(caller: Caller, role: Role, entity: User | Role, new_value: str,
                 why: str) -> None:
    old = role.assume_role_policy_document
    new = replace_aws_principals(old, lambda v: new_value if _names(v, entity) else None)
    if new == old:
        return
    role.assume_role_policy_document = new
    bump(role, "assume_role_policy_document")
    audit.record(caller, "iam:UpdateAssumeRolePolicy", resource_type="role",
                 resource_name=role.name, resource_arn=role.arn,
                 old={"AssumeRolePolicyDocument": old},
                 new={"AssumeRolePolicyDocument": new}, detail=why)


def rebind_renamed_principal(caller: Caller, entity: User, old_name: str, old_path: str) -> None:
    """UpdateUser with a new name or path: trust policies naming the user follow it (AWS updates
    them), so a new user with the old name is not trusted."""
    new_arn = entity.arn
    if (old_name, old_path) == (entity.name, entity.path):
        return
    before = User(name=old_name, path=old_path, user_id=entity.user_id,
                  account_id=entity.account_id)
    _rewrite(caller, before, new_arn,
             f"{before.arn} was renamed to {new_arn}: the policy names the new ARN.")
