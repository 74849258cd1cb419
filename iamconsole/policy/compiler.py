"""Compilation of policy documents into fast matchers (parse once, evaluate many)."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from ._json import JNode, LineIndex
from .conditions import Clause, compile_clause, parse_operator
from .findings import PolicyError
from .patterns import (
    Esc,
    Template,
    Var,
    arn_glob_source,
    compile_rx,
    glob_source,
    parse_template,
    resolve_exact,
    resolve_regex_source,
    template_has_vars,
)
from .validate import analyze

if TYPE_CHECKING:
    from .context import Context

__all__ = [
    "MATCH_ACCOUNT",
    "MATCH_DIRECT",
    "MATCH_NONE",
    "MATCH_ROLE",
    "POLICY_TYPES",
    "CompiledPolicy",
    "CompiledStatement",
    "clear_cache",
    "compile_policy",
]

POLICY_TYPES = ("user", "group", "role", "aws-managed", "user-managed", "resource", "none")

# principal match levels (resource-based policies)
MATCH_NONE = 0
MATCH_ACCOUNT = 1  # the account (root ARN / account id): identity policy must also allow
MATCH_ROLE = 2  # the role ARN of an assumed-role session: boundary/session policies apply
MATCH_DIRECT = 3  # the principal itself (user/session ARN, service, "*")

_ACTION_CACHE_MAX = 4096


def _fast_glob(pattern: str, *, arn: bool, ignore_case: bool) -> tuple[str, Any]:
    """Classify a wildcard pattern: ("any", None) | ("exact", s) | ("prefix", s) | ("rx", src)."""
    if pattern == "*":
        return "any", None
    if "*" not in pattern and "?" not in pattern:
        return "exact", pattern
    head = pattern[:-1]
    if pattern.endswith("*") and "*" not in head and "?" not in head \
            and (not arn or head.count(":") >= 5):
        return "prefix", head
    if arn:
        src, _ = arn_glob_source(pattern)
    else:
        src = glob_source(pattern)
    return "rx", src


class _Matcher:
    """Matches a string against a list of patterns (exact set, prefixes, one regex)."""

    __slots__ = ("any", "arn", "dynamic", "exact", "prefixes", "rx")

    def __init__(self, templates: list[Template], *, arn: bool, ignore_case: bool) -> None:
        self.any = False
        self.arn = arn
        exact: set[str] = set()
        prefixes: list[str] = []
        rx_parts: list[str] = []
        self.dynamic: list[tuple[Template, bool]] = []
        for t in templates:
            if template_has_vars(t):
                literal = all(isinstance(p, (Var, Esc)) or ("*" not in p and "?" not in p)
                              for p in t)
                self.dynamic.append((t, literal))
                continue
            if (len(t) == 1 and isinstance(t[0], str)) or not t:
                pat = t[0] if t else ""
                assert isinstance(pat, str)
                kind, val = _fast_glob(pat, arn=arn, ignore_case=ignore_case)
                if kind == "any":
                    self.any = True
                elif kind == "exact":
                    exact.add(val)
                elif kind == "prefix":
                    prefixes.append(val)
                else:
                    rx_parts.append(val)
            else:
                src = resolve_regex_source(t, None, arn=arn)
                if src is not None:
                    rx_parts.append(src)
        self.exact = frozenset(exact)
        self.prefixes = tuple(prefixes)
        self.rx = (re.compile("(?:" + ")|(?:".join(rx_parts) + ")",
                              re.DOTALL | (re.IGNORECASE if ignore_case else 0))
                   if rx_parts else None)

    def match(self, value: str, ctx: Context | None) -> bool:
        if self.any or value in self.exact:
            return True
        for p in self.prefixes:
            if value.startswith(p):
                return True
        if self.rx is not None and self.rx.fullmatch(value):
            return True
        if self.dynamic and ctx is not None:
            for t, literal in self.dynamic:
                if literal:
                    if resolve_exact(t, ctx) == value:
                        return True
                else:
                    src = resolve_regex_source(t, ctx, arn=self.arn)
                    if src is not None and compile_rx(src).fullmatch(value):
                        return True
        return False


def _arn_account(arn: str | None) -> str | None:
    if not arn or not arn.startswith("arn:"):
        return None
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4] else None


def _role_key(arn: str) -> tuple[str, str] | None:
    """(account, role name) for a role ARN or an assumed-role session ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    res = parts[5]
    if parts[2] == "iam" and res.startswith("role/"):
        return parts[4], res.rsplit("/", 1)[-1]
    if parts[2] == "sts" and res.startswith("assumed-role/"):
        bits = res.split("/")
        if len(bits) >= 3:
            return parts[4], bits[1]
    return None


class _PrincipalMatcher:
    __slots__ = ("accounts", "arns", "others", "roles", "wildcard")

    def __init__(self, node: JNode) -> None:
        self.wildcard = False
        self.arns: set[str] = set()
        self.accounts: set[str] = set()
        self.roles: set[tuple[str, str]] = set()
        self.others: set[str] = set()  # Service / Federated / CanonicalUser identifiers
        if node.kind == "string":
            self.wildcard = node.value == "*"
            return
        for key, _, child in node.items:
            values = [n.value for n in child.items] if child.kind == "array" else [child.value]
            for v in values:
                if not isinstance(v, str):
                    continue
                if key != "AWS":
                    self.others.add(v.lower() if key == "Service" else v)
                    continue
                if v == "*":
                    self.wildcard = True
                elif v.isdigit():
                    self.accounts.add(v)
                elif v.endswith(":root") and _arn_account(v):
                    self.accounts.add(str(_arn_account(v)))
                else:
                    self.arns.add(v)
                    rk = _role_key(v)
                    if rk is not None and ":iam:" in v:
                        self.roles.add(rk)

    def level(self, principal: str | None, account: str | None) -> int:
        if self.wildcard:
            return MATCH_DIRECT
        if principal is not None:
            if principal in self.arns or principal in self.others \
                    or principal.lower() in self.others:
                return MATCH_DIRECT
            if self.roles and ":assumed-role/" in principal:
                rk = _role_key(principal)
                if rk is not None and rk in self.roles:
                    return MATCH_ROLE
            if principal.endswith(":root") and account is not None and account in self.accounts:
                return MATCH_DIRECT
        if account is not None and account in self.accounts:
            return MATCH_ACCOUNT
        return MATCH_NONE

    def excludes(self, principal: str | None, account: str | None) -> bool:
        """NotPrincipal semantics: AWS checks the principal *and* the entities containing it,
        so a principal is excluded only when every one of them is listed: the account, and
        for a role session both the role ARN and the session ARN."""
        if self.wildcard:
            return True
        if principal is None:
            return False
        if principal in self.others or principal.lower() in self.others:
            return True
        account_listed = account is not None and account in self.accounts
        if principal.endswith(":root"):
            return account_listed
        if not account_listed or principal not in self.arns:
            return False
        if ":assumed-role/" in principal:
            rk = _role_key(principal)
            return rk is not None and rk in self.roles
        return True


class CompiledStatement:
    """One statement, ready for evaluation."""

    __slots__ = (
        "_actions",
        "_matched",
        "_resources",
        "clauses",
        "condition_keys",
        "condition_var_keys",
        "effect",
        "end_column",
        "end_line",
        "index",
        "is_deny",
        "not_action",
        "not_principal",
        "not_resource",
        "policy",
        "principal",
        "resource_var_keys",
        "services",
        "sid",
        "start_column",
        "start_line",
    )

    def __init__(self, policy: CompiledPolicy, index: int, node: JNode, lines: LineIndex,
                 vars_enabled: bool) -> None:
        self.policy = policy
        self.index = index
        self._matched: Any = None  # MatchedStatement, built on first use
        sid = node.get("Sid")
        self.sid: str | None = sid.value if sid is not None and sid.value != "" else None
        eff = node.get("Effect")
        self.effect: str = eff.value if eff is not None else "Allow"
        self.is_deny = self.effect == "Deny"
        self.start_line, self.start_column = lines.position(node.start)
        self.end_line, self.end_column = lines.position(max(node.end - 1, node.start))

        act = node.get("Action")
        self.not_action = act is None
        act = act if act is not None else node.get("NotAction")
        patterns = [p.lower() for p in _strs(act)]
        self._actions = _Matcher([(p,) for p in patterns], arn=False, ignore_case=True)
        services: set[str] | None = set()
        for p in patterns:
            svc = p.split(":", 1)[0] if ":" in p else "*"
            if "*" in svc or "?" in svc or self.not_action:
                services = None
                break
            services.add(svc)
        self.services = frozenset(services) if services is not None else None

        res = node.get("Resource")
        self.not_resource = False
        if res is None and node.get("NotResource") is not None:
            res = node.get("NotResource")
            self.not_resource = True
        if res is None:  # trust policies may omit Resource
            res_templates: list[Template] = [("*",)]
        else:
            res_templates = [_template(r, vars_enabled) for r in _strs(res)]
        self._resources = _Matcher(res_templates, arn=True, ignore_case=False)
        self.resource_var_keys: tuple[tuple[str, str], ...] = tuple(
            (p.lower, p.key) for t in res_templates for p in t
            if isinstance(p, Var) and p.default is None)

        pr = node.get("Principal")
        npr = node.get("NotPrincipal")
        self.not_principal = npr is not None
        src = pr if pr is not None else npr
        self.principal = _PrincipalMatcher(src) if src is not None else None

        clauses: list[Clause] = []
        cond = node.get("Condition")
        if cond is not None:
            for op, _, block in cond.items:
                spec = parse_operator(op)
                if isinstance(spec, str):  # pragma: no cover - rejected by validation
                    continue
                for key, _, vals in block.items:
                    raw = [n.value for n in vals.items] if vals.kind == "array" else [vals.value]
                    strs = [_as_str(v) for v in raw]
                    templates = [_template(s, vars_enabled) for s in strs]
                    clauses.append(compile_clause(spec, key, raw, templates))
        self.clauses: tuple[Clause, ...] = tuple(clauses)
        seen: dict[str, str] = {}
        for c in clauses:
            seen.setdefault(c.key_lower, c.key)
        self.condition_keys: tuple[tuple[str, str], ...] = tuple(seen.items())
        var_seen: dict[str, str] = {}
        for c in clauses:
            for t in c._templates:
                for p in t:
                    if isinstance(p, Var) and p.default is None:
                        var_seen.setdefault(p.lower, p.key)
        self.condition_var_keys: tuple[tuple[str, str], ...] = tuple(var_seen.items())

    def action_matches(self, action_lower: str) -> bool:
        return self._actions.match(action_lower, None) != self.not_action

    def principal_level(self, principal: str | None, account: str | None) -> int:
        """How the statement's Principal names the caller (MATCH_* constant)."""
        pm = self.principal
        if pm is None:
            return MATCH_DIRECT
        if self.not_principal:
            return MATCH_NONE if pm.excludes(principal, account) else MATCH_DIRECT
        return pm.level(principal, account)

    def __repr__(self) -> str:
        return (f"<Statement {self.index} sid={self.sid!r} {self.effect} "
                f"of {self.policy.policy_id!r}>")


class CompiledPolicy:
    """A parsed, validated and pre-compiled policy document."""

    def __init__(self, text: str, policy_id: str, policy_type: str, kind: str,
                 version_id: str | None, document_version: str | None, root: JNode,
                 statement_nodes: list[JNode], lines: LineIndex) -> None:
        self.text = text
        self.policy_id = policy_id
        self.policy_type = policy_type
        self.kind = kind
        self.version_id = version_id
        self.document_version = document_version
        pid = root.get("Id")
        self.id: str | None = pid.value if pid is not None else None
        vars_enabled = document_version == "2012-10-17"
        self.statements: list[CompiledStatement] = [
            CompiledStatement(self, i, n, lines, vars_enabled)
            for i, n in enumerate(statement_nodes)
        ]
        by_service: dict[str, list[CompiledStatement]] = {}
        generic: list[CompiledStatement] = []
        for st in self.statements:
            if st.services is None:
                generic.append(st)
            else:
                for svc in st.services:
                    by_service.setdefault(svc, []).append(st)
        self._by_service = by_service
        self._generic = tuple(generic)
        self._action_cache: dict[str, tuple[CompiledStatement, ...]] = {}
        self.has_principals = any(st.principal is not None for st in self.statements)

    def statements_for_action(self, action_lower: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction covers ``action_lower`` (cached)."""
        hit = self._action_cache.get(action_lower)
        if hit is not None:
            return hit
        svc = action_lower.split(":", 1)[0]
        cands = self._by_service.get(svc, [])
        if self._generic:
            cands = sorted([*cands, *self._generic], key=lambda s: s.index)
        hit = tuple(st for st in cands if st.action_matches(action_lower))
        if len(self._action_cache) >= _ACTION_CACHE_MAX:
            self._action_cache.clear()
        self._action_cache[action_lower] = hit
        return hit

    def __repr__(self) -> str:
        return (f"<CompiledPolicy {self.policy_id!r} type={self.policy_type} "
                f"statements={len(self.statements)}>")


def _strs(node: JNode | None) -> list[str]:
    if node is None:
        return []
    if node.kind == "array":
        return [n.value for n in node.items if isinstance(n.value, str)]
    return [node.value] if isinstance(node.value, str) else []


def _as_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _template(text: str, vars_enabled: bool) -> Template:
    if not vars_enabled or "${" not in text:
        return (text,)
    t, _ = parse_template(text)
    return t


# LRU cache ---------------------------------------------------------------------------
_CACHE_MAX = 2048
_cache: OrderedDict[tuple[Any, ...], CompiledPolicy | PolicyError] = OrderedDict()
_cache_lock = threading.Lock()


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def compile_policy(text: str, *, policy_id: str, policy_type: str, kind: str = "identity",
                   version_id: str | None = None) -> CompiledPolicy:
    """Validate and compile ``text``; raise :class:`PolicyError` if it has errors."""
    if not isinstance(text, str):
        raise PolicyError([_doc_error("The policy document must be text.")])
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    key = (policy_id, version_id, digest, policy_type, kind)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
    if hit is not None:
        if isinstance(hit, PolicyError):
            raise PolicyError(hit.findings)
        return hit
    result = _compile(text, policy_id, policy_type, kind, version_id)
    with _cache_lock:
        _cache[key] = result
        if len(_cache) > _CACHE_MAX:
            _cache.popitem(last=False)
    if isinstance(result, PolicyError):
        raise PolicyError(result.findings)
    return result


def _doc_error(message: str) -> Any:
    from .findings import Finding

    return Finding("error", "InvalidDocument", "", message)


def _compile(text: str, policy_id: str, policy_type: str, kind: str,
             version_id: str | None) -> CompiledPolicy | PolicyError:
    try:
        a = analyze(text, kind)
    except ValueError as exc:
        from .findings import Finding

        return PolicyError([Finding("error", "InvalidKind", "", str(exc))])
    errors = a.errors
    if errors:
        return PolicyError(errors)
    assert a.root is not None and a.lines is not None
    return CompiledPolicy(text, policy_id, policy_type, kind, version_id, a.version, a.root,
                          [n for _, n in a.statements], a.lines)
