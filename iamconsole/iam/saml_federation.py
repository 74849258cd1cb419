"""STS AssumeRoleWithSAML: temporary credentials of a role for the holder of a SAML 2.0
assertion of a SAML provider registered in the role's account (CreateSAMLProvider).

AWS accepts the request unsigned: the assertion is the proof. Checks, in order:

* the SAMLResponse (base64) is parsed with the hardened parser (no DOCTYPE: no XXE, no entity
  expansion), then its signature is verified by signxml against the provider's signing
  certificates only (those of its metadata); ONLY the element signxml returns as signed is
  read from then on (a signed Response: its single Assertion; or a signed Assertion), which
  defeats signature wrapping. Unsigned assertions are refused. Texts are read from the
  verified tree with comments stripped (no comment injection in NameID);
* Issuer = the provider's entityID; Audience and SubjectConfirmationData Recipient among
  https://signin.aws.amazon.com/saml, `<IAMCONSOLE_PUBLIC_URL>/saml` and the console ACS
  `<IAMCONSOLE_PUBLIC_URL>/accounts/federated/saml/`; NotBefore /
  NotOnOrAfter with SKEW seconds of clock skew (ExpiredTokenException when expired); the
  Recipient is what AWS answers as Audience and tests as saml:aud;
* the attribute https://aws.amazon.com/SAML/Attributes/Role holds the "role-arn,provider-arn"
  pair requested (either order); RoleSessionName is required; SessionDuration bounds the
  duration; PrincipalTag:<k>, TransitiveTagKeys and SourceIdentity are optional;
* encrypted assertions (EncryptedAssertion) are not decrypted yet: refused, and so is every
  assertion of a provider whose AssertionEncryptionMode is Required;
* the assertion is used once (`models.SAMLAssertionUse`): a replay is InvalidIdentityToken;
* the role's trust policy allows sts:AssumeRoleWithSAML for Principal.Federated = the provider's
  ARN with the keys saml:aud, saml:iss, saml:sub, saml:sub_type, saml:namequalifier
  (base64(SHA1(issuer + account + "/" + provider name)), as AWS documents), saml:doc, and
  saml:<attribute> for the eduPerson / X.500 attributes AWS documents.

Every outcome is audited in the role's account, the actor being the assertion's subject.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import InvalidInput as SignXMLInvalidInput
from signxml.exceptions import InvalidSignature

from iamconsole.policy import compile_policy
from iamconsole.policy.evaluate import Request, evaluate

from . import audit, clock, sts, tenancy
from .errors import AccessDenied, InvalidInput, ValidationError
from .models import Role, SAMLAssertionUse, SAMLProvider
from .oidc_tokens import ExpiredTokenException, IDPRejectedClaim, InvalidIdentityToken
from .services._common import normalize_tags
from .services.saml_providers import parse_xml, signing_certificates_pem
from .web_identity import FederatedCaller, anonymous_caller

ACTION = "sts:AssumeRoleWithSAML"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
ATTR = "https://aws.amazon.com/SAML/Attributes/"
AWS_SIGNIN = "https://signin.aws.amazon.com/saml"
CONSOLE_ACS_PATH = "/accounts/federated/saml/"  # the console's Assertion Consumer Service
SKEW = 300  # seconds
ASSERTION_MAX = 100_000
NS = {"p": SAMLP, "a": SAML}
NAMEID_FORMATS = {"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent": "persistent",
                  "urn:oasis:names:tc:SAML:2.0:nameid-format:transient": "transient"}
# saml:<key> condition keys AWS documents, by attribute OID (urn:oid:<oid>).
ATTRIBUTE_KEYS = {
    "1.3.6.1.4.1.5923.1.1.1.1": "edupersonaffiliation",
    "1.3.6.1.4.1.5923.1.1.1.2": "edupersonnickname",
    "1.3.6.1.4.1.5923.1.1.1.3": "edupersonorgdn",
    "1.3.6.1.4.1.5923.1.1.1.4": "edupersonorgunitdn",
    "1.3.6.1.4.1.5923.1.1.1.5": "edupersonprimaryaffiliation",
    "1.3.6.1.4.1.5923.1.1.1.6": "edupersonprincipalname",
    "1.3.6.1.4.1.5923.1.1.1.7": "edupersonentitlement",
    "1.3.6.1.4.1.5923.1.1.1.8": "edupersonprimaryorgunitdn",
    "1.3.6.1.4.1.5923.1.1.1.9": "edupersonscopedaffiliation",
    "1.3.6.1.4.1.5923.1.1.1.10": "edupersontargetedid",
    "1.3.6.1.4.1.5923.1.1.1.11": "edupersonassurance",
    "1.3.6.1.4.1.5923.1.2.1.2": "eduorghomepageuri",
    "1.3.6.1.4.1.5923.1.2.1.3": "eduorgidentityauthnpolicyuri",
    "1.3.6.1.4.1.5923.1.2.1.4": "eduorglegalname",
    "1.3.6.1.4.1.5923.1.2.1.5": "eduorgsuperioruri",
    "1.3.6.1.4.1.5923.1.2.1.6": "eduorgwhitepagesuri",
    "2.5.4.3": "cn",
    "2.16.840.1.113730.3.1.241": "displayname",
    "2.5.4.42": "givenname",
    "0.9.2342.19200300.100.1.3": "mail",
    "2.5.4.10": "organization",
    "2.5.4.11": "organizationalunit",
    "2.5.4.4": "surname",
    "0.9.2342.19200300.100.1.1": "uid",
}


def audiences() -> set[str]:
    """The audiences / recipients accepted: AWS's sign-in endpoint, this server's /saml and
    its console's Assertion Consumer Service (iam.saml_signin)."""
    base = settings.IAMCONSOLE_PUBLIC_URL.rstrip("/")
    return {AWS_SIGNIN, base + "/saml", base + CONSOLE_ACS_PATH}


@dataclass
class SAMLSession:
    assumed: sts.AssumedRole
    subject: str
    subject_type: str
    issuer: str
    audience: str
    name_qualifier: str

    @property
    def credentials(self) -> sts.SessionCredentials:
        return self.assumed.credentials


def text_of(element) -> str:
    """The element's text with comments left out (XPath string(): text nodes only), so a
    comment injected in a NameID reads the whole value, not the part before the comment."""
    if element is None:
        return ""
    return str(element.xpath("string()")).strip()


def _time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidIdentityToken("Invalid time in the SAML assertion.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def verified_assertion(provider: SAMLProvider, saml_response_b64: str) -> etree._Element:
    """The Assertion of the response whose signature verifies with one of the provider's
    signing certificates: the signed element itself (or the one Assertion of a signed
    Response). InvalidIdentityToken otherwise."""
    if not isinstance(saml_response_b64, str) or not saml_response_b64 or \
            len(saml_response_b64) > ASSERTION_MAX:
        raise ValidationError("SAMLAssertion must be between 4 and 100000 characters.",
                              field="saml_assertion")
    try:
        data = base64.b64decode("".join(saml_response_b64.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidIdentityToken("Invalid base64 SAML assertion") from None
    root = parse_xml(data, InvalidIdentityToken, "Invalid SAML assertion: malformed XML")
    if root.find(f".//{{{SAML}}}EncryptedAssertion") is not None:
        raise InvalidIdentityToken("Encrypted SAML assertions are not supported by iamconsole "
                                   "yet: send a signed plaintext assertion.")
    if provider.assertion_encryption_mode == "Required":
        raise InvalidIdentityToken("The SAML provider requires encrypted assertions.")
    signed = None
    for certificate in signing_certificates_pem(provider):
        try:
            signed = XMLVerifier().verify(data, x509_cert=certificate).signed_xml
            break
        except (InvalidSignature, SignXMLInvalidInput, etree.LxmlError, ValueError, TypeError,
                KeyError):
            continue
    if signed is None:
        raise InvalidIdentityToken(
            "The SAML assertion is not signed by a certificate of the provider's metadata.")
    if signed.tag == f"{{{SAML}}}Assertion":
        return signed
    if signed.tag == f"{{{SAMLP}}}Response":
        found = signed.findall(f"{{{SAML}}}Assertion")
        if len(found) == 1:
            return found[0]
    raise InvalidIdentityToken("The signed element is not one SAML assertion.")


def assertion_attributes(assertion) -> dict[str, list[str]]:
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.iterfind("a:AttributeStatement/a:Attribute", NS):
        values = [text_of(v) for v in attribute.iterfind("a:AttributeValue", NS)]
        attributes.setdefault(attribute.get("Name", ""), []).extend(values)
    return attributes


def single_value(attributes, name: str, required: bool = False) -> str:
    values = attributes.get(ATTR + name) or []
    if len(values) > 1:
        raise InvalidIdentityToken(f"The attribute {ATTR}{name} must have one value.")
    if required and not values:
        raise InvalidIdentityToken(f"The SAML assertion has no {ATTR}{name} attribute.")
    return values[0] if values else ""


def check_conditions(assertion, now: dt.datetime) -> tuple[str, dt.datetime]:
    """(recipient, expiry) after checking audience, recipient and validity windows: AWS
    answers the Recipient as Audience (and as saml:aud)."""
    skew = timedelta(seconds=SKEW)
    accepted = audiences()
    conditions = assertion.find("a:Conditions", NS)
    expiry = None
    if conditions is not None:
        not_before = _time(conditions.get("NotBefore"))
        expiry = _time(conditions.get("NotOnOrAfter"))
        if not_before and now + skew < not_before:
            raise InvalidIdentityToken("The SAML assertion is not yet valid.")
        if expiry and now - skew >= expiry:
            raise ExpiredTokenException("The SAML assertion has expired.")
    audience_values = [text_of(a) for a in assertion.iterfind(
        "a:Conditions/a:AudienceRestriction/a:Audience", NS)]
    if not any(a in accepted for a in audience_values):
        raise InvalidIdentityToken(
            f"The SAML assertion's audience is not {AWS_SIGNIN}.")
    confirmations = assertion.findall(
        "a:Subject/a:SubjectConfirmation/a:SubjectConfirmationData", NS)
    if not confirmations:
        raise InvalidIdentityToken("The SAML assertion has no SubjectConfirmationData.")
    recipient = None
    for data in confirmations:
        until = _time(data.get("NotOnOrAfter"))
        if until and now - skew >= until:
            raise ExpiredTokenException("The SAML assertion has expired.")
        if data.get("Recipient") in accepted:
            recipient = recipient or data.get("Recipient")
            expiry = min(filter(None, (expiry, until)), default=None)
    if recipient is None:
        raise InvalidIdentityToken(
            f"The SAML assertion's Recipient is not {AWS_SIGNIN}.")
    return recipient, expiry or now + timedelta(minutes=5)


def use_key(provider: SAMLProvider, assertion) -> str:
    """The key of the assertion's use (models.SAMLAssertionUse)."""
    assertion_id = assertion.get("ID")
    if not assertion_id:
        raise InvalidIdentityToken("The SAML assertion has no ID.")
    return hashlib.sha256(f"{provider.arn}\n{assertion_id}".encode()).hexdigest()


def _use_once(provider: SAMLProvider, assertion, expiry: dt.datetime, now: dt.datetime) -> None:
    key = use_key(provider, assertion)
    SAMLAssertionUse.objects.filter(expires_at__lt=now - timedelta(seconds=SKEW)).delete()
    try:
        with transaction.atomic():
            SAMLAssertionUse.objects.create(key=key, account_id=provider.account_id,
                                            expires_at=expiry + timedelta(seconds=SKEW))
    except IntegrityError:
        raise InvalidIdentityToken("The SAML assertion has already been used.") from None


def _provider(role: Role, principal_arn: str) -> SAMLProvider:
    prefix = f"arn:aws:iam::{role.account_id}:saml-provider/"
    provider = None
    if isinstance(principal_arn, str) and principal_arn.startswith(prefix):
        provider = SAMLProvider.everywhere.filter(
            account_id=role.account_id, name=principal_arn[len(prefix):]).first()
    if provider is None:
        raise InvalidIdentityToken(f"No SAML provider {principal_arn} in the role's account.")
    return provider


def _denied(caller, role_arn: str, detail: str) -> AccessDenied:
    audit.record(caller, ACTION, resource_type="role", resource_arn=role_arn,
                 resource_name=role_arn.rsplit("/", 1)[-1], outcome="denied", detail=detail)
    return AccessDenied(f"Not authorized to perform {ACTION}", action=ACTION, resource=role_arn)


def assume_role_with_saml(role_arn: str, principal_arn: str, saml_assertion_b64: str, *,
                          policy: str | None = None, policy_arns: list | None = None,
                          duration_seconds: int | None = None,
                          caller: FederatedCaller | None = None) -> SAMLSession:
    """AssumeRoleWithSAML (see the module's docstring)."""
    caller = caller or anonymous_caller()
    caller.auth_method = "saml"
    role = sts.find_role_by_arn(role_arn) if isinstance(role_arn, str) else None
    if role is None:
        raise _denied(caller, str(role_arn), "no such role")
    with tenancy.acting_in(role.account_id):
        try:
            provider = _provider(role, principal_arn)
            caller.provider_arn = provider.arn
            return _assume(caller, role, provider, saml_assertion_b64, policy, policy_arns,
                           duration_seconds)
        except (InvalidIdentityToken, ExpiredTokenException, IDPRejectedClaim) as exc:
            audit.record(caller, ACTION, resource_type="role", resource_name=role.name,
                         resource_arn=role.arn, outcome="denied", detail=exc.message,
                         error_code=exc.code)
            raise


def _assume(caller, role: Role, provider: SAMLProvider, saml_b64: str, policy, policy_arns,
            duration_seconds) -> SAMLSession:
    assertion = verified_assertion(provider, saml_b64)
    now = clock.now()
    issuer = text_of(assertion.find("a:Issuer", NS))
    if issuer != provider.entity_id:
        raise InvalidIdentityToken(
            f"The SAML assertion's issuer {issuer} is not the provider's {provider.entity_id}.")
    name_id = assertion.find("a:Subject/a:NameID", NS)
    subject = text_of(name_id)
    if not subject:
        raise InvalidIdentityToken("The SAML assertion has no NameID.")
    caller.subject = subject
    fmt = name_id.get("Format", "")
    subject_type = NAMEID_FORMATS.get(fmt, fmt)
    audience, expiry = check_conditions(assertion, now)
    attributes = assertion_attributes(assertion)
    pairs = [{p.strip() for p in value.split(",")} for value in attributes.get(ATTR + "Role", [])]
    if {role.arn, provider.arn} not in pairs:
        raise InvalidIdentityToken(
            f"The SAML assertion's {ATTR}Role attribute does not name {role.arn} with "
            f"{provider.arn}.")
    session_name = single_value(attributes, "RoleSessionName", required=True)
    if not sts._SESSION_NAME.match(session_name):
        raise IDPRejectedClaim("The RoleSessionName attribute is not a valid session name.")
    high = role.max_session_duration
    limit = single_value(attributes, "SessionDuration")
    if limit:
        try:
            high = min(high, max(int(limit), sts.ASSUME_ROLE_MIN))
        except ValueError:
            raise IDPRejectedClaim("SessionDuration is not a number of seconds.") from None
    duration = sts._duration(
        duration_seconds, min(sts.ASSUME_ROLE_DEFAULT, high), sts.ASSUME_ROLE_MIN, high,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role "
        "or the SessionDuration of the SAML assertion.")
    source_identity = single_value(attributes, "SourceIdentity")
    if source_identity and not sts._SESSION_NAME.match(source_identity):
        raise IDPRejectedClaim("The SourceIdentity attribute is not a valid SourceIdentity.")
    tags_raw = {}
    for name, values in attributes.items():
        if name.startswith(ATTR + "PrincipalTag:"):
            if len(values) != 1:
                raise InvalidIdentityToken(f"The session tag {name} must have one value.")
            tags_raw[name[len(ATTR + "PrincipalTag:"):]] = values[0]
    try:
        tags = normalize_tags(tags_raw) if tags_raw else {}
    except (ValidationError, InvalidInput) as exc:
        raise InvalidIdentityToken(f"Invalid session tags: {exc.message}") from None
    transitive = attributes.get(ATTR + "TransitiveTagKeys", [])
    lowered = {k.lower() for k in tags}
    if any(k.lower() not in lowered for k in transitive):
        raise InvalidIdentityToken("Each transitive tag key must be a session tag.")
    text, arns_, packed = sts._session_policy(policy, policy_arns, tags)
    qualifier = base64.b64encode(hashlib.sha1(  # noqa: S324 - AWS's documented formula
        f"{issuer}{role.account_id}/{provider.name}".encode()).digest()).decode()
    context: dict[str, Any] = {
        "saml:aud": audience, "saml:iss": issuer, "saml:sub": subject,
        "saml:sub_type": subject_type, "saml:namequalifier": qualifier,
        "saml:doc": f"{role.account_id}/{provider.name}",
        "aws:FederatedProvider": provider.arn, "sts:RoleSessionName": session_name,
    }
    for name, values in attributes.items():
        key = ATTRIBUTE_KEYS.get(name.removeprefix("urn:oid:"))
        if key and values:
            context[f"saml:{key}"] = values if len(values) > 1 else values[0]
    if source_identity:
        context["sts:SourceIdentity"] = source_identity
    if tags:
        context["aws:TagKeys"] = list(tags)
        context.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
        if transitive:
            context["sts:TransitiveTagKeys"] = list(transitive)
    trust = compile_policy(role.assume_role_policy_document, policy_id="AssumeRolePolicy",
                           policy_type="resource", kind="trust",
                           version_id=f"trust:{role.role_id}:{role.revision}")
    actions = [ACTION] + (["sts:TagSession"] if tags else []) + (
        ["sts:SetSourceIdentity"] if source_identity else [])
    for action in actions:
        decision = evaluate(Request(action, role.arn, context, principal_arn=provider.arn,
                                    principal_account=role.account_id), [],
                            resource_policy=trust)
        if not decision.allowed:
            raise _denied(caller, role.arn, f"{action}: {decision.decision}")
    with transaction.atomic():  # a session that fails to issue leaves the assertion unused
        _use_once(provider, assertion, expiry, now)
        assumed = sts.issue_federated_role_session(
            caller, role, action=ACTION, session_name=session_name, session_policy=text,
            session_policy_arns=arns_, packed=packed, session_tags=tags,
            source_identity=source_identity, duration_seconds=duration, now=now,
            details={"Provider": provider.arn, "Subject": subject, "Issuer": issuer,
                     "Audience": audience})
    return SAMLSession(assumed, subject, subject_type, issuer, audience, qualifier)
