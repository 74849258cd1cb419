"""Console sign-in with an IdP-initiated SAML 2.0 response (issue #17).

The identity provider posts a signed SAMLResponse to the console's Assertion Consumer Service
(`<IAMCONSOLE_PUBLIC_URL>/accounts/federated/saml/`, saml_federation.CONSOLE_ACS_PATH):

1. `read` — the SAML providers whose entityID is the response's issuer are tried; the response
   must verify with one's signing certificates (saml_federation.verified_assertion: only the
   signed element is read), name it as Issuer, pass the audience / recipient / validity checks
   of AssumeRoleWithSAML and not have been used yet. The `Role` attribute's pairs naming that
   provider and a role of its account are the roles offered;
2. `sign_in` — AssumeRoleWithSAML for the chosen pair with the same response (verified again,
   trust policy evaluated, the assertion consumed once), for the role's MaxSessionDuration
   bounded by the SessionDuration attribute.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import asdict, dataclass, field

from . import audit, clock, sts, tenancy
from .errors import IAMError, InvalidInput, ValidationError
from .models import SAMLAssertionUse, SAMLProvider
from .oidc_tokens import InvalidIdentityToken
from .saml_federation import (
    ACTION,
    ASSERTION_MAX,
    ATTR,
    NS,
    SAML,
    SAMLP,
    SAMLSession,
    assertion_attributes,
    assume_role_with_saml,
    check_conditions,
    single_value,
    text_of,
    use_key,
    verified_assertion,
)
from .services.saml_providers import parse_xml
from .web_identity import anonymous_caller


@dataclass
class SAMLSignIn:
    """A verified, unused response: what the console keeps while its holder chooses a role."""

    saml_response: str
    subject: str
    pairs: list[list[str]] = field(default_factory=list)  # [role ARN, provider ARN]
    session_duration: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _issuers(saml_response_b64: str) -> set[str]:
    """The issuers the (not yet verified) response claims: only to find the providers whose
    certificates to verify it with."""
    try:
        data = base64.b64decode("".join(saml_response_b64.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidIdentityToken("Invalid base64 SAML response") from None
    root = parse_xml(data, InvalidIdentityToken, "Invalid SAML response: malformed XML")
    found = root.findall(f"{{{SAMLP}}}Issuer") + root.findall(f"{{{SAML}}}Issuer") + \
        root.findall(f"{{{SAML}}}Assertion/{{{SAML}}}Issuer")
    return {text_of(issuer) for issuer in found} - {""}


def _read_with(provider: SAMLProvider, saml_response_b64: str) -> SAMLSignIn:
    assertion = verified_assertion(provider, saml_response_b64)
    issuer = text_of(assertion.find("a:Issuer", NS))
    if issuer != provider.entity_id:
        raise InvalidIdentityToken(
            f"The SAML assertion's issuer {issuer} is not the provider's {provider.entity_id}.")
    subject = text_of(assertion.find("a:Subject/a:NameID", NS))
    if not subject:
        raise InvalidIdentityToken("The SAML assertion has no NameID.")
    check_conditions(assertion, clock.now())
    if SAMLAssertionUse.objects.filter(key=use_key(provider, assertion)).exists():
        raise InvalidIdentityToken("The SAML assertion has already been used.")
    attributes = assertion_attributes(assertion)
    role_prefix = f"arn:aws:iam::{provider.account_id}:role/"
    pairs: list[list[str]] = []
    for value in attributes.get(ATTR + "Role", []):
        parts = [p.strip() for p in value.split(",")]
        if len(parts) != 2 or provider.arn not in parts:
            continue
        role_arn = parts[1] if parts[0] == provider.arn else parts[0]
        if role_arn.startswith(role_prefix) and [role_arn, provider.arn] not in pairs \
                and sts.find_role_by_arn(role_arn) is not None:
            pairs.append([role_arn, provider.arn])
    return SAMLSignIn(saml_response_b64, subject, pairs,
                      single_value(attributes, "SessionDuration"))


def read(saml_response_b64: str, source_ip: str | None = None) -> SAMLSignIn:
    """The verified response (see the module's docstring); InvalidIdentityToken /
    ExpiredTokenException / ValidationError otherwise. A response of a known provider that
    fails is audited in the provider's account."""
    if not isinstance(saml_response_b64, str) or not saml_response_b64.strip():
        raise InvalidInput("The identity provider posted no SAMLResponse.",
                           field="SAMLResponse")
    if len(saml_response_b64) > ASSERTION_MAX:
        raise ValidationError(f"The SAMLResponse must be at most {ASSERTION_MAX} characters.",
                              field="SAMLResponse")
    issuers = _issuers(saml_response_b64)
    providers = list(SAMLProvider.everywhere.filter(entity_id__in=issuers).order_by("pk"))
    if not providers:
        raise InvalidIdentityToken("No SAML provider is registered for the response's issuer.")
    failures: list[tuple[SAMLProvider, IAMError]] = []
    signed_in: SAMLSignIn | None = None
    for provider in providers:
        with tenancy.acting_in(provider.account_id):
            try:
                found = _read_with(provider, saml_response_b64)
            except IAMError as exc:
                failures.append((provider, exc))
                continue
        if signed_in is None:
            signed_in = found
        else:
            signed_in.pairs += [p for p in found.pairs if p not in signed_in.pairs]
    if signed_in is None:  # refused by every provider of that issuer: audited in each account
        for provider, exc in failures:
            with tenancy.acting_in(provider.account_id):
                _audit_refusal(provider, source_ip, exc.message)
        raise failures[0][1]
    return signed_in


def _audit_refusal(provider: SAMLProvider, source_ip: str | None, detail: str,
                   subject: str = "") -> None:
    caller = anonymous_caller(source_ip)
    caller.provider_arn, caller.subject, caller.auth_method = provider.arn, subject, "console"
    audit.record(caller, ACTION, resource_type="saml_provider", resource_name=provider.name,
                 resource_arn=provider.arn, outcome=audit.DENIED,
                 detail=f"console sign-in: {detail}")


def refuse_no_role(signed_in: SAMLSignIn, source_ip: str | None = None) -> None:
    """Audit a verified response that names no role of its provider's account."""
    for provider in SAMLProvider.everywhere.filter(
            entity_id__in=_issuers(signed_in.saml_response)):
        with tenancy.acting_in(provider.account_id):
            _audit_refusal(provider, source_ip, f"no role for {signed_in.subject}",
                           signed_in.subject)


def sign_in(signed_in: SAMLSignIn, role_arn: str, source_ip: str | None = None) -> SAMLSession:
    """AssumeRoleWithSAML for the chosen role, for its MaxSessionDuration bounded by the
    response's SessionDuration."""
    pair = next((p for p in signed_in.pairs if p[0] == role_arn), None)
    if pair is None:
        raise InvalidIdentityToken("The SAML response offers no such role.")
    role = sts.find_role_by_arn(role_arn)
    duration = None
    if role is not None:
        duration = role.max_session_duration
        if signed_in.session_duration:
            try:
                duration = min(duration, max(int(signed_in.session_duration),
                                             sts.ASSUME_ROLE_MIN))
            except ValueError:
                duration = None  # AssumeRoleWithSAML refuses the attribute
    caller = anonymous_caller(source_ip)
    return assume_role_with_saml(pair[0], pair[1], signed_in.saml_response,
                                 duration_seconds=duration, caller=caller)
