"""Bulk actions over many users, groups, roles or customer managed policies (the console lists'
checkboxes).

Every item is the domain operation a single call would be, with the same rules, in the same
order: the engine authorizes it on that item's resource with that item's condition keys (a
denial is audited per item, as a single call's would be), then the same checks (service-linked
role, attachable policy, quotas, DeleteConflict), then the change, audited per item. One item
failing does not undo the others: the result lists every item with its outcome.

What makes 500 items take a fraction of a second instead of seconds is only how it is done:

* the selection, the chosen target and the rows each operation reads (memberships, attachments,
  active keys) are loaded in a few queries for all items, and the rows changed are locked once,
  in one transaction, before anything is read for the checks;
* the caller's policies are gathered once (authz caches them on the Caller for the request, as
  for any request) and the engine runs per item in memory; an engine decision is reused only for
  an identical request (same action, same resource, same condition keys: adding 500 users to
  one group is 500 identical AddUserToGroup requests on the group);
* the changes and their audit records are written with one INSERT (or DELETE / UPDATE) each.

The batched operations check before they write, so an item that fails changes nothing and the
others are written together. Deleting customer managed policies runs policies.delete_policy per
item, in transactions of DELETE_CHUNK items with a savepoint per item. When the chosen target
does not exist, each item runs the ordinary operation (which authorizes each missing-target
request first, no existence oracle) and reports its error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from .. import audit, authz, kinds
from ..caller import Caller
from ..errors import (
    AccessDenied,
    DeleteConflict,
    IAMError,
    LimitExceeded,
    NoSuchEntity,
    PolicyNotAttachable,
    ValidationError,
)
from ..kinds import Kind
from ..models import (
    AccessKey,
    Group,
    ManagedPolicy,
    PasswordHistory,
    PolicyVersion,
    TemporaryCredential,
    User,
)
from . import groups, permissions, policies, roles, users
from ._common import MAX_GROUPS_PER_USER, MAX_MANAGED_POLICIES_PER_IDENTITY
from .lookup import get_policy_by_arn
from .principals import unbind_deleted_principals

MAX_ITEMS = 1000
DELETE_CHUNK = 50


@dataclass(frozen=True)
class ItemResult:
    name: str
    ok: bool
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class BulkResult:
    kind: str
    action: str
    items: list[ItemResult]

    @property
    def succeeded(self) -> list[ItemResult]:
        return [item for item in self.items if item.ok]

    @property
    def failed(self) -> list[ItemResult]:
        return [item for item in self.items if not item.ok]


@dataclass(frozen=True)
class Target:
    """What a bulk action is given besides the selection: a group name, a policy ARN, or an
    identity (kind and name) a policy is attached to."""

    group: str = ""
    policy_arn: str = ""
    identity_kind: str = ""
    identity_name: str = ""


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    needs: str  # "" | "group" | "policy" | "identity"
    run: Callable[[Caller, Kind, list[Any], Target], dict[str, ItemResult]]


# --- items -----------------------------------------------------------------------------------

def _failed(exc: IAMError) -> ItemResult:
    return ItemResult("", False, exc.code, exc.message)


def _run(operation: Callable[[], object]) -> ItemResult:
    try:
        operation()
    except IAMError as exc:
        return _failed(exc)
    return ItemResult("", True)


def _label(kind: Kind, entity: Any) -> str:
    return entity.arn if kind is kinds.POLICY else entity.name


class _Authorizer:
    """authz.check per item; an identical request (action, resource, condition keys) reuses the
    engine's decision, and its denial is audited again for each item, as separate calls are."""

    def __init__(self, caller: Caller):
        self.caller = caller
        self.denials: dict[tuple, AccessDenied | None] = {}

    def check(self, action: str, resource: str, extra: dict | None = None) -> None:
        key = (action, resource, tuple(sorted((extra or {}).items())))
        if key not in self.denials:
            try:
                authz.check(self.caller, action, resource, extra)
            except AccessDenied as exc:
                self.denials[key] = exc
                raise
            self.denials[key] = None
            return
        denied = self.denials[key]
        if denied is not None:
            audit.record_denied(self.caller, denied)
            raise AccessDenied(denied.message, action=denied.action, resource=denied.resource,
                               encoded_message=denied.encoded_message)


def _each(kind: Kind, entities: list[Any],
          operation: Callable[[Any], object]) -> dict[str, ItemResult]:
    """The ordinary operation per item, each its own transaction."""
    return {_label(kind, e): _run(lambda e=e: operation(e)) for e in entities}


# --- deletion ---------------------------------------------------------------------------------

_SUMMARY = {"user": users.user_summary, "group": groups.group_summary,
            "role": roles.role_summary}


def _delete(caller: Caller, kind: Kind, selected: list[Any],
            target: Target) -> dict[str, ItemResult]:
    """Delete{noun} for each user, group or role (users.delete_user, groups.delete_group,
    roles.delete_role): authorized, a service-linked role refused, DeleteConflict while
    anything blocks it (kind.delete_blockers), trust policies naming a deleted user or role
    rewritten to its unique id, then the deletion, audited with the entity's summary."""
    if kind is kinds.POLICY:
        return _delete_policies(caller, kind, selected, target)
    action = kind.action("Delete{noun}")
    authorizer = _Authorizer(caller)
    results: dict[str, ItemResult] = {}

    def may_delete(entity: Any) -> None:
        authorizer.check(action, entity.arn)
        if kind is kinds.ROLE:
            roles.check_modifiable(entity)

    with audit.atomic():
        allowed = _authorized(results, selected, may_delete)
        rows = kind.model.objects.filter(pk__in=sorted(e.pk for e in allowed)).order_by("pk")
        if kind.has_boundary:
            rows = rows.select_related("permissions_boundary")
        locked = {e.pk: e for e in rows.select_for_update(of=("self",))}
        blockers = kind.deletion_blockers_of(list(locked.values()))
        deleted = []
        for entity in allowed:
            current = locked.get(entity.pk)
            if current is None:
                results[entity.name] = _failed(NoSuchEntity(
                    f"The {kind.key} with name {entity.name} cannot be found."))
            elif blockers[entity.pk]:
                results[entity.name] = _failed(DeleteConflict(
                    "Cannot delete entity, must remove "
                    f"{', '.join(blockers[entity.pk])} first."))
            else:
                deleted.append(current)
                results[entity.name] = ItemResult(entity.name, True)
        summaries = [_SUMMARY[kind.key](entity) for entity in deleted]
        if kind.principal:
            unbind_deleted_principals(caller, deleted)
        if kind is kinds.USER:
            TemporaryCredential.objects.filter(user__in=deleted).delete()
            PasswordHistory.objects.filter(user__in=deleted).delete()
        kind.model.objects.filter(pk__in=[e.pk for e in deleted]).delete()
        audit.record_many(caller, action, [
            {"resource_type": kind.key, "resource_name": old[f"{kind.noun}Name"],
             "resource_arn": old["Arn"], "old": old} for old in summaries])
    return results


def _delete_policies(caller: Caller, kind: Kind, entities: list[Any],
                     _: Target) -> dict[str, ItemResult]:
    """policies.delete_policy per policy, nested (a savepoint each) in transactions of
    DELETE_CHUNK policies: a policy that fails rolls back to its savepoint only."""
    results = {}
    for start in range(0, len(entities), DELETE_CHUNK):
        with audit.atomic():
            for policy in entities[start:start + DELETE_CHUNK]:
                results[policy.arn] = _run(lambda p=policy: policies.delete_policy(caller,
                                                                                    p.arn))
    return results


# --- group membership -------------------------------------------------------------------------

def _add_to_group(caller: Caller, kind: Kind, selected: list[User],
                  target: Target) -> dict[str, ItemResult]:
    """AddUserToGroup for each user (groups.add_user_to_group)."""
    action = "iam:AddUserToGroup"
    group = Group.objects.filter(name__ci=target.group).first()
    if group is None:
        return _each(kind, selected, lambda u: groups.add_user_to_group(
            caller, target.group, u.name))
    authorizer = _Authorizer(caller)
    results: dict[str, ItemResult] = {}
    with audit.atomic():
        allowed = _authorized(results, selected, lambda u: authorizer.check(action, group.arn))
        through = Group.members.through
        locked = _lock(User, allowed)
        members = set(through.objects.filter(group=group, user_id__in=locked)
                      .values_list("user_id", flat=True))
        counts = dict(through.objects.filter(user_id__in=locked).values("user_id")
                      .annotate(n=Count("id")).values_list("user_id", "n"))
        added = []
        for user in allowed:
            if user.pk not in locked:
                results[user.name] = _failed(NoSuchEntity(
                    f"The user with name {user.name} cannot be found."))
            elif user.pk in members:
                results[user.name] = ItemResult(user.name, True)  # AWS: a member already
            elif counts.get(user.pk, 0) >= MAX_GROUPS_PER_USER:
                results[user.name] = _failed(LimitExceeded(
                    f"Cannot exceed quota for GroupsPerUser: {MAX_GROUPS_PER_USER}."))
            else:
                added.append(user)
                results[user.name] = ItemResult(user.name, True)
        through.objects.bulk_create([through(group=group, user=u) for u in added])
        audit.record_many(caller, action, [
            {"resource_type": "group", "resource_name": group.name, "resource_arn": group.arn,
             "new": {"UserName": u.name}} for u in added])
    return results


def _authorized(results: dict[str, ItemResult], items: Iterable[Any],
                check: Callable[[Any], None], label: Callable[[Any], str] = lambda e: e.name,
                ) -> list[Any]:
    """The items `check` allows; the others' AccessDenied (or other refusal) goes to results."""
    allowed = []
    for item in items:
        try:
            check(item)
        except IAMError as exc:
            results[label(item)] = _failed(exc)
            continue
        allowed.append(item)
    return allowed


def _lock(model: type, entities: Iterable[Any]) -> set[int]:
    """Lock the rows of `entities` (in primary-key order: no deadlock with another bulk action)
    and return the primary keys of those that still exist."""
    pks = sorted({e.pk for e in entities})
    if not pks:
        return set()
    return set(model.objects.select_for_update().filter(pk__in=pks).order_by("pk")
               .values_list("pk", flat=True))


# --- managed-policy attachments ----------------------------------------------------------------

@dataclass(frozen=True)
class _Pair:
    """One attachment an item asks for: the item's label, the identity and the policy."""

    label: str
    spec: Kind
    entity: Any
    policy: ManagedPolicy


def _pairs(caller: Caller, kind: Kind, selected: list[Any], target: Target
           ) -> tuple[list[_Pair] | None, Callable[[Any], object] | None]:
    """The attachments the items ask for, or (None, op) when the target does not exist: then
    `op(item, template)` is the ordinary operation per item."""
    if kind is kinds.POLICY:
        spec = kinds.IDENTITIES.get(target.identity_kind)
        if spec is None:
            raise ValidationError("Choose a user, group or role.", field="identity")
        entity = spec.model.objects.filter(name__ci=target.identity_name)
        if spec is kinds.USER:
            entity = entity.filter(is_root=False)
        entity = entity.first()
        if entity is None:
            return None, lambda p, op: op(caller, spec.key, target.identity_name, p.arn)
        return [_Pair(p.arn, spec, entity, p) for p in selected], None
    try:
        policy = get_policy_by_arn(target.policy_arn)
    except IAMError:
        return None, lambda e, op: op(caller, kind.key, e.name, target.policy_arn)
    return [_Pair(e.name, kind, e, policy) for e in selected], None


def _check_pair(authorizer: _Authorizer, template: str, pair: _Pair) -> None:
    authorizer.check(pair.spec.action(template), pair.entity.arn,
                     {"iam:PolicyARN": pair.policy.arn})
    if getattr(pair.entity, "is_service_linked", False):
        roles.check_modifiable(pair.entity)


def _attached(spec: Kind, pairs: list[_Pair], locked: set[int]) -> dict[int, list[tuple]]:
    """entity pk → [(attachment pk, policy pk)] of the locked identities, in attachment order."""
    owner = f"{spec.owner_field}_id"
    rows: dict[int, list[tuple]] = {}
    for pk, owner_pk, policy_pk in (spec.attachment_model.objects.filter(
            **{f"{owner}__in": locked}).order_by("pk").values_list("pk", owner, "policy_id")):
        rows.setdefault(owner_pk, []).append((pk, policy_pk))
    return rows


def _attach(caller: Caller, kind: Kind, selected: list[Any],
            target: Target) -> dict[str, ItemResult]:
    """Attach{noun}Policy for each item (permissions.attach_policy)."""
    template = "Attach{noun}Policy"
    pairs, single = _pairs(caller, kind, selected, target)
    if pairs is None:
        return _each(kind, selected, lambda e: single(e, permissions.attach_policy))
    authorizer = _Authorizer(caller)
    results: dict[str, ItemResult] = {}
    with audit.atomic():
        allowed = _authorized(results, pairs, lambda p: _check_pair(authorizer, template, p),
                              lambda p: p.label)
        attachable = set(PolicyVersion.objects.filter(
            policy_id__in={p.policy.pk for p in allowed}, is_default=True)
            .values_list("policy_id", flat=True))
        allowed = _authorized(results, allowed, lambda p: _attachable(p, attachable),
                              lambda p: p.label)
        spec = allowed[0].spec if allowed else kind
        locked = _lock(spec.model, (p.entity for p in allowed))
        attached = _attached(spec, allowed, locked)
        created = []
        for pair in allowed:
            rows = attached.setdefault(pair.entity.pk, [])
            if pair.entity.pk not in locked:
                results[pair.label] = _failed(NoSuchEntity(
                    f"The {spec.key} with name {pair.entity.name} cannot be found."))
            elif any(policy_pk == pair.policy.pk for _, policy_pk in rows):
                results[pair.label] = ItemResult(pair.label, True)  # AWS: attached already
            elif len(rows) >= MAX_MANAGED_POLICIES_PER_IDENTITY:
                results[pair.label] = _failed(LimitExceeded(
                    f"Cannot exceed quota for PoliciesPer{spec.noun}: "
                    f"{MAX_MANAGED_POLICIES_PER_IDENTITY}."))
            else:
                rows.append((None, pair.policy.pk))
                created.append(pair)
                results[pair.label] = ItemResult(pair.label, True)
        spec.attachment_model.objects.bulk_create([
            spec.attachment_model(**{spec.owner_field: p.entity, "policy": p.policy})
            for p in created])
        audit.record_many(caller, spec.action(template), [
            {"resource_type": spec.key, "resource_name": p.entity.name,
             "resource_arn": p.entity.arn, "new": {"PolicyArn": p.policy.arn}} for p in created])
    return results


def _attachable(pair: _Pair, attachable: set[int]) -> None:
    if pair.policy.pk not in attachable:
        raise PolicyNotAttachable(f"Policy {pair.policy.arn} is not attachable.")


def _detach(caller: Caller, kind: Kind, selected: list[Any],
            target: Target) -> dict[str, ItemResult]:
    """Detach{noun}Policy for each item (permissions.detach_policy)."""
    template = "Detach{noun}Policy"
    pairs, single = _pairs(caller, kind, selected, target)
    if pairs is None:
        return _each(kind, selected, lambda e: single(e, permissions.detach_policy))
    authorizer = _Authorizer(caller)
    results: dict[str, ItemResult] = {}
    with audit.atomic():
        allowed = _authorized(results, pairs, lambda p: _check_pair(authorizer, template, p),
                              lambda p: p.label)
        spec = allowed[0].spec if allowed else kind
        attached = _attached(spec, allowed, {p.entity.pk for p in allowed})
        removed, detached = [], []
        for pair in allowed:
            rows = [pk for pk, policy_pk in attached.get(pair.entity.pk, [])
                    if policy_pk == pair.policy.pk]
            if not rows:
                results[pair.label] = _failed(NoSuchEntity(
                    f"Policy {pair.policy.arn} was not found."))
                continue
            removed += rows
            detached.append(pair)
            results[pair.label] = ItemResult(pair.label, True)
        spec.attachment_model.objects.filter(pk__in=removed).delete()
        audit.record_many(caller, spec.action(template), [
            {"resource_type": spec.key, "resource_name": p.entity.name,
             "resource_arn": p.entity.arn, "old": {"PolicyArn": p.policy.arn}}
            for p in detached])
    return results


# --- access keys ------------------------------------------------------------------------------

def _deactivate_keys(caller: Caller, kind: Kind, selected: list[User],
                     _: Target) -> dict[str, ItemResult]:
    """UpdateAccessKey (Inactive) for each active key of each user
    (access_keys.update_access_key); a user's first refused key stops that user's keys."""
    action = "iam:UpdateAccessKey"
    authorizer = _Authorizer(caller)
    keys: dict[int, list[AccessKey]] = {}
    for key in (AccessKey.objects.filter(user__in=selected, status=AccessKey.ACTIVE)
                .order_by("created_at")):
        keys.setdefault(key.user_id, []).append(key)
    results: dict[str, ItemResult] = {}
    changed: list[tuple[User, AccessKey]] = []
    with audit.atomic():
        for user in selected:
            try:
                for key in keys.get(user.pk, []):
                    authorizer.check(action, user.arn)
                    changed.append((user, key))
            except IAMError as exc:
                results[user.name] = _failed(exc)
                continue
            results[user.name] = ItemResult(user.name, True)
        AccessKey.objects.filter(pk__in=[key.pk for _, key in changed]).update(
            status=AccessKey.INACTIVE)
        audit.record_many(caller, action, [
            {"resource_type": "user", "resource_name": u.name, "resource_arn": u.arn,
             "old": {"AccessKeyId": k.access_key_id, "Status": AccessKey.ACTIVE},
             "new": {"AccessKeyId": k.access_key_id, "Status": AccessKey.INACTIVE}}
            for u, k in changed])
    return results


# --- the registry -----------------------------------------------------------------------------

_DELETE_ACTION = Action("delete", "Delete", "", _delete)
_ATTACH = Action("attach_policy", "Attach managed policy", "policy", _attach)
_DETACH = Action("detach_policy", "Detach managed policy", "policy", _detach)

ACTIONS: dict[str, dict[str, Action]] = {
    "user": {a.key: a for a in (
        Action("add_to_group", "Add to group", "group", _add_to_group), _ATTACH, _DETACH,
        Action("deactivate_access_keys", "Deactivate access keys", "", _deactivate_keys),
        _DELETE_ACTION)},
    "group": {a.key: a for a in (_ATTACH, _DETACH, _DELETE_ACTION)},
    "role": {a.key: a for a in (_ATTACH, _DETACH, _DELETE_ACTION)},
    "policy": {a.key: a for a in (
        Action("attach_policy", "Attach to a user, group or role", "identity", _attach),
        Action("detach_policy", "Detach from a user, group or role", "identity", _detach),
        _DELETE_ACTION)},
}
USER_ACTIONS = tuple(ACTIONS["user"])


def _selection(kind: Kind, names: list[str]) -> dict[str, Any]:
    """label → entity of the selected names (ARNs for policies) that exist: one query."""
    if kind is kinds.POLICY:
        wanted = {}
        for arn in names:
            parsed = kinds.POLICY.parse_arn(arn)
            if parsed is not None:
                wanted[arn] = parsed.name
        found = ManagedPolicy.objects.filter(is_aws_managed=False, name__in=set(wanted.values()))
        return {p.arn: p for p in found if p.arn in wanted}
    found = kind.model.objects.filter(name__in=names)
    if kind is kinds.USER:
        found = found.filter(is_root=False)
    return {e.name: e for e in found}


def _missing(kind: Kind, name: str) -> ItemResult:
    if kind is kinds.POLICY:
        return ItemResult(name, False, "NoSuchEntity",
                          f"Policy {name} does not exist or is not attachable.")
    return ItemResult(name, False, "NoSuchEntity",
                      f"The {kind.key} with name {name} cannot be found.")


def bulk_action(caller: Caller, kind_key: str, action: str, names: list[str],
                target: Target = Target()) -> BulkResult:
    """Run `action` (ACTIONS[kind_key]) on each named entity — names for users, groups and
    roles, ARNs for customer managed policies — in name order, duplicates once. Unknown names
    are reported as NoSuchEntity items."""
    kind = kinds.KINDS.get(kind_key)
    spec = ACTIONS.get(kind_key, {}).get(action)
    if kind is None or spec is None:
        raise ValidationError(f"Unknown bulk action {action!r}.", field="action")
    labels = sorted(set(names))
    noun = kind.plural
    if not labels:
        raise ValidationError(f"Select at least one {kind.label.lower()}.", field="items")
    if len(labels) > MAX_ITEMS:
        raise ValidationError(f"Select at most {MAX_ITEMS} {noun}.", field="items")
    if spec.needs == "group" and not target.group:
        raise ValidationError("Choose a group.", field="group")
    if spec.needs == "policy" and not target.policy_arn:
        raise ValidationError("Choose a policy.", field="policy_arn")
    if spec.needs == "identity" and (target.identity_kind not in kinds.IDENTITIES
                                     or not target.identity_name):
        raise ValidationError("Choose a user, group or role.", field="identity")
    existing = _selection(kind, labels)
    entities = [existing[label] for label in labels if label in existing]
    done = spec.run(caller, kind, entities, target) if entities else {}
    items = []
    for label in labels:
        if label not in existing:
            items.append(_missing(kind, label))
            continue
        outcome = done[label]
        items.append(ItemResult(_shown(kind, existing[label]), outcome.ok, outcome.code,
                                outcome.message))
    return BulkResult(kind_key, action, items)


def _shown(kind: Kind, entity: Any) -> str:
    return entity.name if kind is kinds.POLICY else _label(kind, entity)


def bulk_user_action(caller: Caller, action: str, user_names: list[str], *,
                     group_name: str = "", policy_arn: str = "") -> BulkResult:
    """bulk_action on users (the Users list's form before the other lists had one)."""
    return bulk_action(caller, "user", action, user_names,
                       Target(group=group_name, policy_arn=policy_arn))


