"""'Who can do this action on this resource?': every user and role evaluated at once, over a
catalogue of all their policies loaded in a constant number of queries."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from iamconsole.policy import Context, Request, evaluate

from .. import arns, authz
from .. import identifiers as ids
from ..authz import POLICY_MODELS
from ..caller import Caller
from ..errors import InvalidInput, MalformedPolicyDocument
from ..models import PolicyVersion
from .compiled import Compiled, compile_meta
from .inputs import check_actions, check_context, check_resources
from .principals import identity_context
from .results import BOUNDARY_KEY, SimulationPolicy, WhoCanRow
from .run import ALWAYS_ALLOWED, TRUST_ACTIONS, Setup, trust_policy


class _ActionFilter:
    """A cheap, conservative test of whether a policy document can possibly have a statement
    for the action: parsing JSON is ~30x cheaper than compiling, and most of thousands of
    policies are about other things. Anything unusual answers True (compile and let the engine
    decide), so the filter can only skip work, never change a decision."""

    def __init__(self, action: str) -> None:
        self.action = action.lower()
        self._memo: dict[str, bool] = {}

    def may_apply(self, text: str) -> bool:
        hit = self._memo.get(text)
        if hit is None:
            hit = self._memo[text] = self._may_apply(text)
        return hit

    def _may_apply(self, text: str) -> bool:
        try:
            doc = json.loads(text)
        except ValueError:
            return True
        statements = doc.get("Statement") if isinstance(doc, dict) else None
        if isinstance(statements, dict):
            statements = [statements]
        if not isinstance(statements, list):
            return True
        for st in statements:
            if not isinstance(st, dict) or "NotAction" in st:
                return True
            actions = st.get("Action")
            if isinstance(actions, str):
                actions = [actions]
            if not isinstance(actions, list):
                return True
            for pattern in actions:
                if not isinstance(pattern, str) or _glob_match(pattern.lower(), self.action):
                    return True
        return False


def _glob_match(pattern: str, value: str) -> bool:
    if "*" not in pattern and "?" not in pattern:
        return pattern == value
    return _glob_rx(pattern).fullmatch(value) is not None


@lru_cache(maxsize=4096)
def _glob_rx(pattern: str) -> re.Pattern[str]:
    rx = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(rx, re.DOTALL)


@dataclass
class _Catalogue:
    """Every user's and role's policies, loaded in a constant number of queries."""

    managed: dict[int, SimulationPolicy]
    user_inline: dict[int, list[SimulationPolicy]]
    group_inline: dict[int, list[SimulationPolicy]]
    role_inline: dict[int, list[SimulationPolicy]]
    user_attached: dict[int, list[int]]
    group_attached: dict[int, list[int]]
    role_attached: dict[int, list[int]]
    memberships: dict[int, list[int]]


def _load_catalogue() -> tuple[_Catalogue, list[Any], list[Any]]:
    """(catalogue, users, roles): the tables authz reads one principal's policies from, read
    whole."""
    user_models, group_models, role_models = (POLICY_MODELS[k] for k in ("user", "group", "role"))
    account = ids.account_id()
    users = list(user_models.principal.objects.filter(is_root=False).only(
        "id", "account_id", "name", "path", "user_id", "tags", "is_root",
        "permissions_boundary_id")
        .order_by("name"))
    roles = list(role_models.principal.objects.only(
        "id", "account_id", "name", "path", "role_id", "tags", "permissions_boundary_id")
        .order_by("name"))
    groups = dict(group_models.principal.objects.values_list("id", "name"))
    managed: dict[int, SimulationPolicy] = {}
    rows = PolicyVersion.objects.filter(is_default=True, policy__account_id=account).values_list(
        "policy_id", "number", "document", "policy__name", "policy__path",
        "policy__is_aws_managed", "policy__policy_id")
    for pk, number, document, name, path, aws, policy_id in rows:
        arn = arns.policy(name, path, aws_managed=aws, account=account)  # ManagedPolicy.arn
        managed[pk] = SimulationPolicy(key=arn, name=name,
                                       policy_type="aws-managed" if aws else "user-managed",
                                       document=document, arn=arn, policy_id=policy_id,
                                       version_id=f"v{number}")

    def inline(kind: str, names: dict[int, str]) -> dict[int, list]:
        out: dict[int, list[SimulationPolicy]] = {}
        rows = POLICY_MODELS[kind].inline.objects.filter(
            **{f"{kind}__account_id": account}).values_list(f"{kind}_id", "name", "document")
        for owner_id, name, document in rows:
            owner = f"{kind}/{names.get(owner_id, owner_id)}"
            out.setdefault(owner_id, []).append(SimulationPolicy(
                key=f"{owner}/{name}", name=name, policy_type=kind, document=document,
                owner=owner))
        return out

    def attached(kind: str) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        rows = POLICY_MODELS[kind].attachment.objects.filter(
            **{f"{kind}__account_id": account}).values_list(f"{kind}_id", "policy_id")
        for owner_id, policy_id in rows:
            out.setdefault(owner_id, []).append(policy_id)
        return out

    memberships: dict[int, list[int]] = {}
    members = group_models.principal.members.through
    for user_id, group_id in members.objects.filter(user__account_id=account).values_list(
            "user_id", "group_id"):
        memberships.setdefault(user_id, []).append(group_id)
    catalogue = _Catalogue(
        managed=managed,
        user_inline=inline("user", {u.pk: u.name for u in users}),
        group_inline=inline("group", groups),
        role_inline=inline("role", {r.pk: r.name for r in roles}),
        user_attached=attached("user"),
        group_attached=attached("group"),
        role_attached=attached("role"),
        memberships=memberships,
    )
    return catalogue, users, roles


def who_can(caller: Caller, action: str, resource: str,
            context_entries: Sequence[dict] | None = None) -> list[WhoCanRow]:
    """Every user and role allowed to perform `action` on `resource` (with the context given
    plus each principal's own identity keys), and the statements that allow it. Users first,
    then roles, each by name. Authorized by iam:SimulatePrincipalPolicy on "*"."""
    authz.check(caller, "iam:SimulatePrincipalPolicy", "*")
    action = check_actions([action])[0]
    if not isinstance(resource, str) or not resource.strip():
        raise InvalidInput("A resource ARN (or *) is required.", field="resource_arns")
    resource = check_resources([resource.strip()])[0]
    given = check_context(context_entries)
    catalogue, users, roles = _load_catalogue()
    relevant = _ActionFilter(action)
    account = ids.account_id()
    compiled: dict[str, Compiled] = {}
    # Assuming a role is decided by its trust policy, which must allow the principal (a
    # principal it names directly needs no identity policy).
    trust = trust_policy(None, resource) if action.lower() in TRUST_ACTIONS else None

    def policies_for(metas: Iterable[SimulationPolicy], kind: str) -> list[Compiled]:
        out = []
        for meta in metas:
            if not relevant.may_apply(meta.document):
                continue
            key = f"{kind}|{meta.key}"
            hit = compiled.get(key)
            if hit is None:
                try:
                    hit = compiled[key] = compile_meta(meta, field_name="", kind=kind)
                except MalformedPolicyDocument:
                    continue  # a stored policy the engine rejects grants nothing
            out.append(hit)
        return out

    def evaluate_principal(kind: str, entity: Any,
                           metas: list[SimulationPolicy]) -> WhoCanRow | None:
        if action.lower() in ALWAYS_ALLOWED:
            return WhoCanRow(kind, entity.name, entity.arn, [])
        unique = {m.key: m for m in reversed(metas)}  # the first of each, in order
        identity = policies_for(reversed(unique.values()), "identity")
        if not identity and trust is None:
            return None
        boundary = None
        if entity.permissions_boundary_id:
            meta = catalogue.managed.get(entity.permissions_boundary_id)
            if meta is None:
                return None
            meta = SimulationPolicy(key=BOUNDARY_KEY, name=meta.name,
                                    policy_type=meta.policy_type, document=meta.document,
                                    kind="boundary", arn=meta.arn, policy_id=meta.policy_id,
                                    version_id=meta.version_id, owner="boundary")
            if not relevant.may_apply(meta.document):
                return None  # the boundary allows nothing for this action
            boundary = policies_for([meta], "boundary")
            if not boundary:
                return None
        context = Context(identity_context(entity, kind)).merged(given)
        setup = Setup(identity, boundary, trust, context, entity.arn, account, None)
        decision = evaluate(
            Request(action=action, resource=resource, context=context,
                    principal_arn=entity.arn, principal_account=account),
            [c.policy for c in identity],
            boundary_policies=None if boundary is None else [c.policy for c in boundary],
            resource_policy=None if trust is None else trust.policy,
            collect_missing=False,
        )
        if not decision.allowed:
            return None
        return WhoCanRow(kind, entity.name, entity.arn,
                         [setup.statement(m) for m in decision.matched_statements])

    rows: list[WhoCanRow] = []
    for user in users:
        metas = list(catalogue.user_inline.get(user.pk, []))
        metas += [catalogue.managed[p] for p in catalogue.user_attached.get(user.pk, [])
                  if p in catalogue.managed]
        for group_id in catalogue.memberships.get(user.pk, []):
            metas += catalogue.group_inline.get(group_id, [])
            metas += [catalogue.managed[p] for p in catalogue.group_attached.get(group_id, [])
                      if p in catalogue.managed]
        row = evaluate_principal("user", user, metas)
        if row is not None:
            rows.append(row)
    for role in roles:
        metas = list(catalogue.role_inline.get(role.pk, []))
        metas += [catalogue.managed[p] for p in catalogue.role_attached.get(role.pk, [])
                  if p in catalogue.managed]
        row = evaluate_principal("role", role, metas)
        if row is not None:
            rows.append(row)
    return rows

