"""Shared helpers for the policy-engine tests."""

from __future__ import annotations

import itertools
import json
from typing import Any

from iamconsole.policy import CompiledPolicy, compile_policy

ACCT = "111122223333"
USER = f"arn:aws:iam::{ACCT}:user/alice"
ROLE = f"arn:aws:iam::{ACCT}:role/app/AppRole"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/AppRole/sess1"
OTHER_ACCT = "444455556666"

_ids = itertools.count()


def doc(*statements: dict[str, Any], version: str | None = "2012-10-17") -> str:
    d: dict[str, Any] = {}
    if version is not None:
        d["Version"] = version
    d["Statement"] = list(statements)
    return json.dumps(d, indent=2)


def allow(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Action": action}
    if resource is not None:
        st["Resource"] = resource
    st.update(extra)
    return st


def deny(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    st = allow(action, resource, **extra)
    st["Effect"] = "Deny"
    return st


def pol(text_or_stmt: str | dict[str, Any], *, kind: str = "identity",
        policy_type: str = "user", policy_id: str | None = None) -> CompiledPolicy:
    text = text_or_stmt if isinstance(text_or_stmt, str) else doc(text_or_stmt)
    return compile_policy(text, policy_id=policy_id or f"pol{next(_ids)}",
                          policy_type=policy_type, kind=kind)
