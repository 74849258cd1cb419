"""Encoded authorization failure messages and STS DecodeAuthorizationMessage.

AWS encodes the details of a denied request (the decision, the statements that decided it, the
principal, action, resource and condition keys) as an opaque string because they may be
privileged: only a principal allowed `sts:DecodeAuthorizationMessage` may read them. AWS IAM
and STS answers do not carry one (EC2 and a few other services do), so the Query API answers
AccessDenied exactly as AWS IAM does; iamconsole's own REST API adds the encoded message to its
AccessDenied body (`encodedAuthorizationMessage`), and STS DecodeAuthorizationMessage decodes
it. The message is the JSON AWS decodes to, encrypted and authenticated with the at-rest keys
(`crypto`), so it can neither be read nor forged without them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from . import crypto
from .caller import Caller
from .errors import client_error

InvalidAuthorizationMessageException = client_error(
    "InvalidAuthorizationMessageException", 400,
    "DecodeAuthorizationMessage: the message is not one this installation encoded.")


def _items(values: list) -> dict[str, list]:
    return {"items": values}


def _condition_values(value: Any) -> dict[str, list]:
    values = value if isinstance(value, list | tuple) else [value]
    return _items([{"value": str(v)} for v in values])


def message_document(caller: Caller, action: str, resource: str, decision: Any,
                     context: Mapping[str, Any]) -> dict[str, Any]:
    """The decoded message, in AWS's shape: allowed, explicitDeny, matchedStatements,
    failures, context {principal {id, arn}, action, resource, conditions}."""
    return {
        "allowed": bool(decision.allowed),
        "explicitDeny": decision.decision == "explicitDeny",
        "matchedStatements": _items([
            {"statementId": m.sid or "", "effect": "DENY"
             if decision.decision == "explicitDeny" else "ALLOW",
             "policyId": m.policy_id, "policyType": m.policy_type}
            for m in decision.matched_statements
        ]),
        "failures": _items([{"missingContextValue": key}
                            for key in decision.missing_context_values]),
        "context": {
            "principal": {"id": caller.user_id, "arn": caller.arn},
            "action": action,
            "resource": resource,
            "conditions": _items([{"key": key, "values": _condition_values(context[key])}
                                  for key in sorted(context)]),
        },
    }


def encode(caller: Caller, action: str, resource: str, decision: Any,
           context: Mapping[str, Any]) -> str:
    """The opaque encoded message of a denied request."""
    document = message_document(caller, action, resource, decision, context)
    return crypto.encrypt(json.dumps(document, separators=(",", ":"), default=str))


def decode(encoded_message: str) -> str:
    """The JSON of a message `encode` produced (InvalidAuthorizationMessageException for any
    other string). Who may read it is the caller's business: sts.decode_authorization_message."""
    try:
        return crypto.decrypt(encoded_message or "")
    except ValueError:
        raise InvalidAuthorizationMessageException(
            "The encoded authorization message is invalid: it was not produced by this "
            "installation, or it was changed.") from None
