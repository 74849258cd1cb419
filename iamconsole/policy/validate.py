"""Grammar checks (AWS ``MalformedPolicyDocument`` rules) and lint warnings."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import catalog
from ._json import JNode, JsonError, LineIndex, parse
from .conditions import FAMILY_TYPES, OperatorSpec, check_value, parse_operator
from .findings import Finding
from .patterns import VAR_RE, glob_source, parse_template
from .principals import is_unique_id

__all__ = ["KINDS", "ORGANIZATIONS_MAX_CHARS", "VERSIONS", "Analysis", "analyze",
           "validate_policy"]

# "scp": an AWS Organizations service control policy; "rcp": a resource control policy.
KINDS = ("identity", "resource", "trust", "boundary", "session", "scp", "rcp")
# Maximum size of an SCP or RCP document: every character counts, white space included
# (orgs_reference_limits; Organizations answers ConstraintViolationException
# POLICY_CONTENT_LIMIT_EXCEEDED).
ORGANIZATIONS_MAX_CHARS = 5120
_ORG_KIND_NAMES = {"scp": "service control policies (SCPs)",
                   "rcp": "resource control policies (RCPs)"}
VERSIONS = ("2012-10-17", "2008-10-17")
TOP_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                      "Resource", "NotResource", "Condition")
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")

_ACTION_RE = re.compile(r"([A-Za-z0-9_.-]+):([A-Za-z0-9_*?.-]+)")
_SID_RE = re.compile(r"[A-Za-z0-9]*")
_ACCOUNT_RE = re.compile(r"\d{12}")
_AWS_PRINCIPAL_ARN = re.compile(r"arn:aws[a-z-]*:(iam|sts)::(\d{12}|\*):\S+")


@dataclass
class Analysis:
    findings: list[Finding] = field(default_factory=list)
    root: JNode | None = None
    lines: LineIndex | None = None
    version: str | None = None
    # (path, statement node) in document order
    statements: list[tuple[str, JNode]] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


class _V:
    def __init__(self, text: str, kind: str) -> None:
        self.text = text
        self.kind = kind
        self.a = Analysis(lines=LineIndex(text))
        self.identity_like = kind in ("identity", "boundary", "session")
        self.scp = kind == "scp"
        self.rcp = kind == "rcp"
        self.vars_enabled = True

    def add(self, severity: str, code: str, path: str, message: str,
            at: JNode | int | None = None) -> None:
        line = col = None
        if at is not None and self.a.lines is not None:
            off = at.start if isinstance(at, JNode) else at
            line, col = self.a.lines.position(off)
        self.a.findings.append(Finding(severity, code, path, message, line, col))

    def err(self, code: str, path: str, message: str, at: JNode | int | None = None) -> None:
        self.add("error", code, path, message, at)

    def warn(self, code: str, path: str, message: str, at: JNode | int | None = None) -> None:
        self.add("warning", code, path, message, at)

    # ---------------------------------------------------------------------------------
    def run(self) -> Analysis:
        if (self.scp or self.rcp) and len(self.text) > ORGANIZATIONS_MAX_CHARS:
            self.err("PolicySizeExceeded", "", f"The policy has {len(self.text):,} characters; "
                     f"{_ORG_KIND_NAMES[self.kind]} may have at most "
                     f"{ORGANIZATIONS_MAX_CHARS:,}, white space included "
                     "(POLICY_CONTENT_LIMIT_EXCEEDED).")
        try:
            root = parse(self.text)
        except JsonError as exc:
            self.err("MalformedJSON", "", f"The policy is not valid JSON: {exc.message}",
                     exc.offset)
            return self.a
        self.a.root = root
        self._dupe_keys(root, "")
        if root.kind != "object":
            self.err("InvalidDocument", "", "The policy document must be a JSON object.", root)
            return self.a
        for key, off, _node in root.items:
            if key not in TOP_ELEMENTS:
                hint = _hint(key, TOP_ELEMENTS)
                self.err("UnknownElement", key, f"'{key}' is not a policy element{hint}.", off)
        ver = root.get("Version")
        if ver is None and self.rcp:
            self.vars_enabled = False
            self.err("MissingVersion", "", "Every RCP must include \"Version\": \"2012-10-17\".",
                     root)
        elif ver is None:
            self.vars_enabled = False
            self.warn("MissingVersion", "", "The policy has no Version; policy variables such "
                      "as ${aws:username} are treated as literal text. Add "
                      "\"Version\": \"2012-10-17\".", root)
        elif ver.kind != "string" or ver.value not in VERSIONS:
            self.err("InvalidVersion", "Version", "Version must be \"2012-10-17\" or "
                     "\"2008-10-17\".", ver)
        elif self.rcp and ver.value != "2012-10-17":
            self.err("InvalidVersion", "Version", "The Version of an RCP must be \"2012-10-17\".",
                     ver)
        else:
            self.a.version = ver.value
            self.vars_enabled = ver.value == "2012-10-17"
        pid = root.get("Id")
        if pid is not None and pid.kind != "string":
            self.err("InvalidType", "Id", "Id must be a string.", pid)
        st = root.get("Statement")
        if st is None:
            self.err("MissingStatement", "", "The policy must have a Statement element.", root)
            return self.a
        if st.kind == "object":
            stmts = [("Statement", st)]
        elif st.kind == "array":
            if not st.items:
                self.err("EmptyStatement", "Statement", "Statement must not be an empty list.",
                         st)
            stmts = []
            for i, s in enumerate(st.items):
                p = f"Statement[{i}]"
                if s.kind != "object":
                    self.err("InvalidType", p, "Each statement must be a JSON object.", s)
                else:
                    stmts.append((p, s))
        else:
            self.err("InvalidType", "Statement",
                     "Statement must be an object or a list of objects.", st)
            return self.a
        self.a.statements = stmts
        sids: dict[str, str] = {}
        for p, s in stmts:
            self._statement(p, s, sids)
        self._duplicates(stmts)
        return self.a

    def _dupe_keys(self, node: JNode, path: str) -> None:
        if node.kind == "object":
            seen: set[str] = set()
            for key, off, child in node.items:
                p = f"{path}.{key}" if path else key
                if key in seen:
                    self.err("DuplicateKey", p, f"'{key}' appears more than once in the same "
                             "object.", off)
                seen.add(key)
                self._dupe_keys(child, p)
        elif node.kind == "array":
            for i, child in enumerate(node.items):
                self._dupe_keys(child, f"{path}[{i}]")

    def _strings(self, node: JNode, path: str, what: str) -> list[tuple[str, JNode]] | None:
        if node.kind == "string":
            return [(node.value, node)]
        if node.kind == "array":
            if not node.items:
                self.err("EmptyList", path, f"{what} must not be an empty list.", node)
                return None
            out: list[tuple[str, JNode]] = []
            ok = True
            for i, item in enumerate(node.items):
                if item.kind != "string":
                    self.err("InvalidType", f"{path}[{i}]", f"Each {what} entry must be a "
                             "string.", item)
                    ok = False
                else:
                    out.append((item.value, item))
            return out if ok else None
        self.err("InvalidType", path, f"{what} must be a string or a list of strings.", node)
        return None

    def _members(self, node: JNode, path: str, not_object: str, empty_code: str,
                 empty: str) -> list[tuple[str, str, int, JNode]]:
        """(key, its path, its offset, its value) of each member of an object element; none
        when the element is not an object (InvalidType `not_object`); `empty` when it has no
        member."""
        if node.kind != "object":
            self.err("InvalidType", path, not_object, node)
            return []
        if not node.items:
            self.err(empty_code, path, empty, node)
        return [(key, f"{path}.{key}", off, child) for key, off, child in node.items]

    def _entries(self, node: JNode, path: str, what: str) -> list[tuple[str, str, JNode]]:
        """(value, its path, its node) of each entry of a string-or-list element (none when
        the element is invalid: reported by `_strings`)."""
        items = self._strings(node, path, what) or []
        if node.kind == "string":
            return [(value, path, item) for value, item in items]
        return [(value, f"{path}[{i}]", item) for i, (value, item) in enumerate(items)]

    def _statement(self, p: str, s: JNode, sids: dict[str, str]) -> None:
        for key, off, _ in s.items:
            if key not in STATEMENT_ELEMENTS:
                hint = _hint(key, STATEMENT_ELEMENTS)
                self.err("UnknownElement", f"{p}.{key}",
                         f"'{key}' is not a statement element{hint}.", off)
        sid = s.get("Sid")
        if sid is not None:
            if sid.kind != "string":
                self.err("InvalidSid", f"{p}.Sid", "Sid must be a string.", sid)
            else:
                if self.identity_like and not _SID_RE.fullmatch(sid.value):
                    self.err("InvalidSid", f"{p}.Sid", "In IAM identity policies Sid may only "
                             "contain ASCII letters (A-Z, a-z) and digits (0-9).", sid)
                if sid.value:
                    if sid.value in sids:
                        self.err("DuplicateSid", f"{p}.Sid", f"Sid '{sid.value}' is already "
                                 f"used by {sids[sid.value]}; Sids must be unique.", sid)
                    else:
                        sids[sid.value] = p
        eff = s.get("Effect")
        effect: str | None = None
        if eff is None:
            self.err("MissingEffect", p, "The statement must have an Effect (Allow or Deny).", s)
        elif eff.kind != "string" or eff.value not in ("Allow", "Deny"):
            self.err("InvalidEffect", f"{p}.Effect", "Effect must be \"Allow\" or \"Deny\".", eff)
        else:
            effect = eff.value
            if self.rcp and effect == "Allow":
                self.err("AllowNotSupportedInRcp", f"{p}.Effect", "The Effect of an RCP statement "
                         "must be \"Deny\": only the AWS managed RCPFullAWSAccess policy allows, "
                         "and RCPs never grant access.", eff)
        # Action / NotAction
        act, nact = s.get("Action"), s.get("NotAction")
        if act is not None and nact is not None:
            self.err("ConflictingElements", p, "A statement cannot have both Action and "
                     "NotAction.", s)
        elif act is None and nact is None:
            self.err("MissingAction", p, "The statement must have an Action or NotAction.", s)
        for name, node in (("Action", act), ("NotAction", nact)):
            if node is not None:
                self._actions(f"{p}.{name}", node, name)
        if self.rcp and nact is not None:
            self.err("NotActionNotSupportedInRcp", f"{p}.NotAction", "RCPs do not support "
                     "NotAction; list the actions to deny in Action.", nact)
        if effect == "Allow" and nact is not None:
            self.warn("NotActionWithAllow", f"{p}.NotAction", "Allow with NotAction grants every "
                      "action not listed, including actions of services added later; list the "
                      "allowed actions instead.", nact)
        # Resource / NotResource
        res, nres = s.get("Resource"), s.get("NotResource")
        if res is not None and nres is not None:
            self.err("ConflictingElements", p, "A statement cannot have both Resource and "
                     "NotResource.", s)
        elif res is None and nres is None and self.kind != "trust":
            self.err("MissingResource", p, "The statement must have a Resource or NotResource.",
                     s)
        for name, node in (("Resource", res), ("NotResource", nres)):
            if node is not None:
                self._resources(f"{p}.{name}", node, name)
        # Principal / NotPrincipal
        pr, npr = s.get("Principal"), s.get("NotPrincipal")
        if self.scp:
            for name, node in (("Principal", pr), ("NotPrincipal", npr)):
                if node is not None:
                    self.err("PrincipalNotAllowed", f"{p}.{name}", f"{name} is not supported in "
                             "service control policies: an SCP applies to every principal of the "
                             "accounts it is attached to (use a Condition such as "
                             "aws:PrincipalArn to exempt some).", node)
        elif self.rcp:
            if npr is not None:
                self.err("NotPrincipalNotAllowed", f"{p}.NotPrincipal", "RCPs do not support "
                         "NotPrincipal; use \"Principal\": \"*\" with a Condition such as "
                         "aws:PrincipalOrgID or aws:PrincipalArn.", npr)
            if pr is None:
                if npr is None:
                    self.err("MissingPrincipal", p, "Statements in RCPs must have "
                             "\"Principal\": \"*\".", s)
            elif pr.kind != "string" or pr.value != "*":
                self.err("InvalidPrincipal", f"{p}.Principal", "The Principal of an RCP statement "
                         "must be \"*\"; restrict the principals with a Condition such as "
                         "aws:PrincipalOrgID, aws:PrincipalAccount or aws:PrincipalArn.", pr)
        elif self.identity_like:
            for name, node in (("Principal", pr), ("NotPrincipal", npr)):
                if node is not None:
                    self.err("PrincipalNotAllowed", f"{p}.{name}", f"{name} is not allowed in "
                             f"{self.kind} policies; it belongs in resource-based and trust "
                             "policies.", node)
        else:
            if pr is not None and npr is not None:
                self.err("ConflictingElements", p, "A statement cannot have both Principal and "
                         "NotPrincipal.", s)
            elif pr is None and npr is None:
                self.err("MissingPrincipal", p, f"Statements in {self.kind} policies must have "
                         "a Principal.", s)
            if pr is not None:
                self._principal(f"{p}.Principal", pr)
            if npr is not None:
                if self.kind == "trust":
                    self.err("NotPrincipalNotAllowed", f"{p}.NotPrincipal", "NotPrincipal is not "
                             "supported in role trust policies.", npr)
                self._principal(f"{p}.NotPrincipal", npr)
                if effect == "Allow":
                    # AWS supports NotPrincipal only with "Effect": "Deny".
                    self.err("NotPrincipalWithAllow", f"{p}.NotPrincipal", "NotPrincipal is "
                             "supported only with \"Effect\": \"Deny\"; an Allow with "
                             "NotPrincipal would grant access to every principal not listed, "
                             "including anonymous users. Use Principal with a Condition.", npr)
        cond = s.get("Condition")
        if cond is not None:
            self._condition(f"{p}.Condition", cond)
        # overly permissive (an SCP allowing everything is FullAWSAccess: a filter, not a grant)
        if effect == "Allow" and act is not None and cond is None and res is not None \
                and not self.scp:
            acts = _as_list(act)
            ress = _as_list(res)
            if any(a in ("*", "*:*") for a in acts) and "*" in ress:
                self.warn("OverlyPermissive", p, "This statement allows every action on every "
                          "resource (full administrator access).", s)

    def _actions(self, path: str, node: JNode, name: str) -> None:
        for a, ap, n in self._entries(node, path, name):
            if a == "*":
                if self.rcp:
                    self.err("InvalidRcpAction", ap, "An RCP may not use \"*\" alone as an action; "
                             "name the actions or services (for example \"s3:*\") of the services "
                             f"RCPs support: {', '.join(sorted(catalog.RCP_SERVICES))}.", n)
                if self.kind == "trust" and name == "Action":
                    self.err("InvalidTrustAction", ap, "Trust policies may only allow "
                             "sts:AssumeRole*, sts:TagSession, sts:SetSourceIdentity and "
                             "sts:SetContext.", n)
                continue
            m = _ACTION_RE.fullmatch(a)
            if not m:
                self.err("InvalidAction", ap, f"'{a}' is not a valid action; use "
                         "\"service:ActionName\" (wildcards * and ? allowed in the name) or "
                         "\"*\".", n)
                continue
            svc = m.group(1)
            if self.rcp and svc.lower() not in catalog.RCP_SERVICES:
                self.err("UnsupportedRcpService", ap, f"'{a}': RCPs apply only to the services "
                         f"{', '.join(sorted(catalog.RCP_SERVICES))}; '{svc}' is not one of them.",
                         n)
                continue
            if self.kind == "trust":
                rx = re.compile(glob_source(a), re.IGNORECASE)
                if name == "NotAction" or not any(rx.fullmatch(t) for t in catalog.TRUST_ACTIONS):
                    self.err("InvalidTrustAction", ap, f"'{a}' cannot be used in a trust policy; "
                             "only sts:AssumeRole*, sts:TagSession, sts:SetSourceIdentity and "
                             "sts:SetContext are allowed.", n)
                    continue
            try:
                if not catalog.known_service(svc):
                    self.warn("UnknownService", ap, f"'{svc}' is not a known service prefix, so "
                              f"'{a}' matches no action.", n)
                elif not catalog.expand_actions(a):
                    self.warn("UnknownAction", ap, f"'{a}' matches no known {svc} action.", n)
            except Exception:  # noqa: S110 - the catalog is advisory only
                pass

    def _resources(self, path: str, node: JNode, name: str) -> None:
        for r, rp, n in self._entries(node, path, name):
            if r == "*":
                continue
            plain = r
            if self.vars_enabled:
                _, problems = parse_template(r)
                for msg in problems:
                    self.err("InvalidVariable", rp, msg, n)
                plain = VAR_RE.sub("x", r)
            elif "${" in r:
                self.warn("VariableInOldVersion", rp, "Policy variables are only substituted "
                          "with Version 2012-10-17; here '${...}' is literal text.", n)
            parts = plain.split(":", 5)
            if len(parts) < 6 or parts[0] != "arn":
                self.err("InvalidResource", rp, f"'{r}' is not a valid resource; use an ARN "
                         "(arn:partition:service:region:account:resource) or \"*\".", n)
                continue
            if not parts[2] or "*" in parts[2] or "?" in parts[2]:
                self.err("InvalidResource", rp, f"The service in resource '{r}' must be fully "
                         "qualified (no wildcards).", n)

    def _principal(self, path: str, node: JNode) -> None:
        if node.kind == "string":
            if node.value != "*":
                self.err("InvalidPrincipal", path, "A string Principal must be \"*\"; otherwise "
                         "use an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"}.",
                         node)
            return
        for key, kp, off, child in self._members(
                node, path, "Principal must be \"*\" or an object.", "EmptyPrincipal",
                "Principal must not be empty."):
            if key not in PRINCIPAL_TYPES:
                self.err("InvalidPrincipal", kp, f"'{key}' is not a principal type; use AWS, "
                         "Service, Federated or CanonicalUser.", off)
                continue
            for v, vp, n in self._entries(child, kp, key):
                # A unique id (AIDA…, AROA…) is how a stored policy names a deleted user or role.
                if key == "AWS" and v != "*" and not _ACCOUNT_RE.fullmatch(v) \
                        and not _AWS_PRINCIPAL_ARN.fullmatch(v) and not is_unique_id(v):
                    self.err("InvalidPrincipal", vp, f"'{v}' is not a valid AWS principal; use "
                             "an account ID, an IAM/STS ARN, a user or role unique ID or \"*\".",
                             n)
                elif not v.strip():
                    self.err("InvalidPrincipal", vp, "A principal must not be empty.", n)

    def _condition(self, path: str, node: JNode) -> None:
        for op, op_path, off, block in self._members(
                node, path, "Condition must be an object of operators.", "EmptyCondition",
                "Condition must not be empty."):
            spec = parse_operator(op)
            if isinstance(spec, str):
                self.err("UnknownConditionOperator", op_path, spec, off)
                continue
            for key, _, koff, vals in self._members(
                    block, op_path, f"{op} must map condition keys to values.", "EmptyCondition",
                    f"{op} must name at least one condition key."):
                self._condition_key(op_path, spec, key, koff, vals)

    def _condition_key(self, op_path: str, spec: OperatorSpec, key: str, koff: int,
                       vals: JNode) -> None:
        kp = f"{op_path}.{key}"
        if ":" not in key or key.startswith(":") or key.endswith(":"):
            self.err("InvalidConditionKey", kp, f"'{key}' is not a valid condition key; keys "
                     "look like \"aws:SourceIp\" or \"s3:prefix\".", koff)
        if vals.kind == "array":
            if not vals.items:
                self.err("EmptyList", kp, "Condition values must not be an empty list.", vals)
            items = [(f"{kp}[{i}]", v) for i, v in enumerate(vals.items)]
        else:
            items = [(kp, vals)]
        for vp, v in items:
            if v.kind not in ("string", "number", "bool"):
                self.err("InvalidType", vp, "Condition values must be strings, numbers or "
                         "booleans.", v)
                continue
            if self.vars_enabled and v.kind == "string" and "${" in v.value:
                _, problems = parse_template(v.value)
                for msg in problems:
                    self.err("InvalidVariable", vp, msg, v)
                continue
            msg = check_value(spec.family, v.value)
            if msg:
                self.err("InvalidConditionValue", vp, f"{spec.base} value {v.value!r} {msg}", v)
        try:
            ktype = catalog.condition_key_type(key)
        except Exception:
            ktype = None
        if ktype is None or spec.family == "null":
            return
        multi = ktype.startswith("ArrayOf")
        base = ktype[len("ArrayOf"):] if multi else ktype
        fits = FAMILY_TYPES.get(spec.family)
        if fits is not None and base not in fits:
            self.warn("KeyTypeMismatch", kp, f"Condition key '{key}' is of type {ktype}, which "
                      f"does not fit the {spec.base} operator.", koff)
        if spec.set_op and not multi:
            self.warn("SetOperatorOnSingleValuedKey", kp, f"'{key}' is single-valued; "
                      f"{spec.set_op} is meant for multivalued keys.", koff)

    def _duplicates(self, stmts: list[tuple[str, JNode]]) -> None:
        seen: dict[str, str] = {}
        normalized: list[tuple[str, JNode, dict[str, Any]]] = []
        for p, s in stmts:
            body = {k: n.to_py() for k, _, n in s.items if k != "Sid"}
            sig = json.dumps(body, sort_keys=True, default=str)
            if sig in seen:
                self.warn("DuplicateStatement", p, f"This statement repeats {seen[sig]}.", s)
            else:
                seen[sig] = p
                normalized.append((p, s, body))
        # redundant: same effect/resource/principal/condition, actions covered by another
        for i, (p, s, b) in enumerate(normalized):
            if "Action" not in b:
                continue
            for j, (q, _, c) in enumerate(normalized):
                if i == j or "Action" not in c:
                    continue
                if any(b.get(k) != c.get(k) for k in ("Effect", "Resource", "NotResource",
                                                      "Principal", "NotPrincipal", "Condition")):
                    continue
                if _covers(_as_list_py(c["Action"]), _as_list_py(b["Action"])) and not (
                        _covers(_as_list_py(b["Action"]), _as_list_py(c["Action"])) and j > i):
                    self.warn("RedundantStatement", p, f"Every action of this statement is "
                              f"already covered by {q} with the same effect and resources.", s)
                    break


def _covers(big: list[Any], small: list[Any]) -> bool:
    rxs = [re.compile(glob_source(str(a)), re.IGNORECASE) for a in big]
    return all(any(rx.fullmatch(str(a)) for rx in rxs) for a in small)


def _as_list(node: JNode) -> list[Any]:
    if node.kind == "array":
        return [n.value for n in node.items]
    return [node.value]


def _as_list_py(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def _hint(key: str, options: tuple[str, ...]) -> str:
    for o in options:
        if o.lower() == key.lower():
            return f" (element names are case-sensitive: did you mean '{o}'?)"
    return f"; allowed: {', '.join(options)}"


def analyze(text: str, kind: str = "identity") -> Analysis:
    if kind not in KINDS:
        raise ValueError(f"Unknown policy kind {kind!r}; expected one of {', '.join(KINDS)}.")
    return _V(text, kind).run()


def validate_policy(text: str, kind: str = "identity") -> list[Finding]:
    """All errors and warnings for a policy document. Never raises."""
    try:
        if not isinstance(text, str):
            return [Finding("error", "InvalidDocument", "", "The policy document must be text.")]
        if kind not in KINDS:
            return [Finding("error", "InvalidKind", "", f"Unknown policy kind {kind!r}; expected "
                            f"one of {', '.join(KINDS)}.")]
        return analyze(text, kind).findings
    except Exception as exc:
        return [Finding("error", "InternalError", "", f"The policy could not be checked: {exc}")]
