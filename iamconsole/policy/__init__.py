"""The IAM policy engine: AWS's policy language, validation and evaluation logic.

Pure Python, no Django. Typical use::

    from iamconsole.policy import compile_policy, evaluate, Request, Context

    p = compile_policy(text, policy_id="ANPA...", policy_type="user-managed")
    d = evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k", Context({...})), [p])
    d.decision  # "allowed" | "explicitDeny" | "implicitDeny"
"""

from __future__ import annotations

from . import catalog, organizations
from .compiler import POLICY_TYPES, CompiledPolicy, CompiledStatement, clear_cache, compile_policy
from .context import CONTEXT_KEY_TYPES, Context
from .evaluate import (
    Decision,
    MatchedStatement,
    OrganizationsDecisionDetail,
    Request,
    condition_values,
    evaluate,
    referenced_context_keys,
)
from .findings import Finding, PolicyError
from .validate import KINDS, validate_policy

__all__ = [
    "CONTEXT_KEY_TYPES",
    "KINDS",
    "POLICY_TYPES",
    "CompiledPolicy",
    "CompiledStatement",
    "Context",
    "Decision",
    "Finding",
    "MatchedStatement",
    "OrganizationsDecisionDetail",
    "PolicyError",
    "Request",
    "catalog",
    "clear_cache",
    "compile_policy",
    "condition_values",
    "evaluate",
    "organizations",
    "referenced_context_keys",
    "validate_policy",
]
