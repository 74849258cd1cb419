"""Role trust policies by trusted-entity type, as AWS's "Create role" builds them (an AWS
service, another account, a web identity, SAML 2.0 federation, or a custom document), and the
trusted principals of a trust policy in words ("user/alice", "account 210987654321 with MFA",
"ec2.amazonaws.com"). Pure functions over documents: any door may build or describe one."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from . import arns
from . import identifiers as ids
from .errors import ValidationError

TRUSTED_ENTITY_TYPES = {
    "service": "AWS service",
    "account": "AWS account",
    "web_identity": "Web identity",
    "saml": "SAML 2.0 federation",
    "custom": "Custom trust policy",
}
SAML_AUDIENCE = "https://signin.aws.amazon.com/saml"
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$")
_ACCOUNT = re.compile(r"^\d{12}$")
_PROVIDERS = ("oidc-provider", "saml-provider")


def _statement(principal: dict, action: str, condition: dict | None = None) -> dict:
    statement = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return statement


def provider_name(value: str) -> tuple[str, str] | None:
    """(type, host or name) of an OIDC or SAML provider ARN, else None."""
    parsed = arns.parse_any(value)
    if parsed is None or parsed.service != "iam" or parsed.type not in _PROVIDERS \
            or not parsed.name:
        return None
    return parsed.type, parsed.path[1:] + parsed.name


def _provider(value: str, kind: str, field: str) -> str:
    """An OIDC or SAML provider ARN; a bare host or name is read in the current account."""
    value = (value or "").strip()
    if not value:
        raise ValidationError("Choose or type the identity provider.", field=field)
    if not value.startswith("arn:"):
        value = arns.build(kind, value.removeprefix("https://"))
    named = provider_name(value)
    if named is None or named[0] != kind or not _ACCOUNT.match(arns.parse_any(value).account):
        raise ValidationError(f"Not an {kind} ARN: {value}", field=field)
    return value


def trust_policy(entity_type: str, *, service: str = "", account_id: str = "",
                 require_mfa: bool = False, external_id: str = "", provider: str = "",
                 audience: str = "", subject: str = "", document: str = "") -> str:
    """The trust policy (JSON text) for the choices of one trusted-entity type. Bad choices are
    ValidationError naming their field."""
    if entity_type == "custom":
        if not (document or "").strip():
            raise ValidationError("Write the trust policy.", field="document")
        return document
    if entity_type == "service":
        service = (service or "").strip().lower()
        if not _SERVICE.match(service):
            raise ValidationError("Name a service principal such as ec2.amazonaws.com.",
                                  field="service")
        statement = _statement({"Service": service}, "sts:AssumeRole")
    elif entity_type == "account":
        account_id = (account_id or "").strip() or ids.account_id()
        if not _ACCOUNT.match(account_id):
            raise ValidationError("An account ID is 12 digits.", field="account_id")
        condition: dict = {}
        if require_mfa:
            condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
        if external_id.strip():
            condition["StringEquals"] = {"sts:ExternalId": external_id.strip()}
        statement = _statement({"AWS": f"arn:aws:iam::{account_id}:root"}, "sts:AssumeRole",
                               condition)
    elif entity_type == "web_identity":
        arn = _provider(provider, "oidc-provider", "provider")
        host = provider_name(arn)[1]
        if not audience.strip():
            raise ValidationError("Name the audience (client ID).", field="audience")
        condition = {"StringEquals": {f"{host}:aud": audience.strip()}}
        if subject.strip():
            condition["StringLike"] = {f"{host}:sub": subject.strip()}
        statement = _statement({"Federated": arn}, "sts:AssumeRoleWithWebIdentity", condition)
    elif entity_type == "saml":
        arn = _provider(provider, "saml-provider", "provider")
        statement = _statement({"Federated": arn}, "sts:AssumeRoleWithSAML",
                               {"StringEquals": {"SAML:aud": SAML_AUDIENCE}})
    else:
        raise ValidationError(f"Unknown trusted entity type: {entity_type}", field="entity_type")
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2)


# --- in words ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrustedPrincipal:
    effect: str  # Allow | Deny
    principal: str  # "user/alice", "account 210987654321", "ec2.amazonaws.com"
    conditions: tuple[str, ...]  # "with MFA", "audience sts.amazonaws.com"
    actions: tuple[str, ...]

    @property
    def sentence(self) -> str:
        words = " ".join((self.principal, *self.conditions))
        verb = "may" if self.effect == "Allow" else "may not"
        return f"{words} {verb} {', '.join(self.actions)}"


def _principal_words(kind: str, value: str) -> str:
    if value == "*":
        return "anyone" if kind == "AWS" else f"any {kind} principal"
    if kind == "Service":
        return value
    if kind == "AWS":
        if _ACCOUNT.match(value):
            return f"account {value}"
        parsed = arns.parse_any(value)
        if parsed is None:
            return value  # a unique id (AIDA...): its user or role was deleted
        if parsed.type == "root":
            return f"account {parsed.account}"
        where = "" if parsed.is_local else f" in account {parsed.account}"
        return f"{parsed.type}/{parsed.name}{where}"
    if kind == "Federated":
        named = provider_name(value)
        if named is not None:
            noun = "web identity provider" if named[0] == "oidc-provider" else "SAML provider"
            return f"{noun} {named[1]}"
        return f"web identity provider {value}"  # accounts.google.com, cognito-identity...
    return f"{kind} {value}"


def _condition_words(condition: dict) -> list[str]:
    words = []
    for operator, pairs in (condition or {}).items():
        if not isinstance(pairs, dict):
            continue
        for key, values in pairs.items():
            listed = values if isinstance(values, list) else [values]
            shown = " or ".join(str(v) for v in listed)
            short = key.split(":", 1)[-1]
            if key == "aws:MultiFactorAuthPresent" and shown.lower() == "true":
                words.append("with MFA")
            elif key == "sts:ExternalId":
                words.append(f"with external ID {shown}")
            elif key == "SAML:aud":
                words.append(f"signing in at {shown}")
            elif short == "aud":
                words.append(f"with audience {shown}")
            elif short == "sub":
                verb = "matching" if operator.startswith("StringLike") else "equal to"
                words.append(f"with subject {verb} {shown}")
            else:
                words.append(f"when {key} {operator} {shown}")
    return words


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def trusted_principals(document: str) -> list[TrustedPrincipal]:
    """Each principal a trust policy names, with its conditions in words (empty for a
    document that does not parse or names none)."""
    try:
        parsed = json.loads(document)
    except (TypeError, ValueError):
        return []
    statements = parsed.get("Statement", []) if isinstance(parsed, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    found = []
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        principal = statement.get("Principal")
        pairs = [("AWS", "*")] if principal == "*" else [
            (kind, value) for kind, values in (principal or {}).items()
            for value in _strings(values)] if isinstance(principal, dict) else []
        conditions = tuple(_condition_words(statement.get("Condition") or {}))
        actions = tuple(_strings(statement.get("Action")))
        for kind, value in pairs:
            found.append(TrustedPrincipal(statement.get("Effect", "Allow"),
                                          _principal_words(kind, value), conditions, actions))
    return found
