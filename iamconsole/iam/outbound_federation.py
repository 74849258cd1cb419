"""Outbound web identity federation: the account as an OpenID Connect issuer.

IAM Enable/Disable/GetOutboundWebIdentityFederationInfo switch it per account; when enabled,
STS GetWebIdentityToken gives the calling principal (a user, an assumed-role session) a JWT signed
with the account's key (RS256 or ES384) that any OIDC relying party verifies through the issuer's
discovery document and JWKS (`<IAMCONSOLE_PUBLIC_URL>/oidc/<account-id>/.well-known/...`).

Rules (AWS's API reference): Audience 1..10 values (the `aud` claim); DurationSeconds 60..3600,
default 300, never beyond the calling session's own expiry (SessionDurationEscalationException);
Tags become the `request_tags` claim; the caller needs sts:GetWebIdentityToken, evaluated with
the condition keys sts:IdentityTokenAudience, sts:DurationSeconds and sts:SigningAlgorithm.
Disabling stops new tokens only: tokens already issued stay verifiable.

Signing keys are stored encrypted (iam/crypto.py). `rotate_keys` makes a new key per algorithm
and retires the old ones: a retired key signs no more but stays published in the JWKS until the
longest token it can have signed has expired (`published_until`).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings
from django.db.models import Q

from . import audit, authz, clock, crypto
from . import identifiers as ids
from .caller import Caller
from .errors import ValidationError, client_error
from .models import OutboundFederation, OutboundSigningKey
from .services._common import normalize_tags, operation

ALGORITHMS = ("RS256", "ES384")
MIN_DURATION, DEFAULT_DURATION, MAX_DURATION = 60, 300, 3600
MAX_AUDIENCES, MAX_AUDIENCE_LENGTH = 10, 1000
MAX_TOKEN_BYTES = 16384
CLAIMS_NAMESPACE = "https://sts.amazonaws.com/"

FeatureEnabled = client_error("FeatureEnabled", 409)
FeatureDisabled = client_error("FeatureDisabled", 404)
OutboundWebIdentityFederationDisabledException = client_error(
    "OutboundWebIdentityFederationDisabledException", 403)
SessionDurationEscalationException = client_error("SessionDurationEscalationException", 403)
JWTPayloadSizeExceededException = client_error("JWTPayloadSizeExceededException", 400)


def issuer(account_id: str | None = None) -> str:
    """The account's issuer identifier (the `iss` claim and the discovery base URL)."""
    return f"{settings.IAMCONSOLE_PUBLIC_URL.rstrip('/')}/oidc/{account_id or ids.account_id()}"


@dataclass
class FederationInfo:
    issuer_identifier: str
    enabled: bool


@dataclass
class WebIdentityToken:
    token: str
    expiration: datetime


def _row() -> OutboundFederation | None:
    return OutboundFederation.objects.filter().first()


@operation
def enable(caller: Caller) -> FederationInfo:
    authz.check(caller, "iam:EnableOutboundWebIdentityFederation", "*")
    row = _row()
    if row is not None and row.enabled:
        raise FeatureEnabled("Outbound web identity federation is already enabled for this "
                             "account.")
    if row is None:
        row = OutboundFederation.objects.create(enabled=True, enabled_at=clock.now())
    else:
        row.enabled, row.enabled_at = True, clock.now()
        row.save(update_fields=["enabled", "enabled_at"])
    for algorithm in ALGORITHMS:
        if not _active_keys().filter(algorithm=algorithm).exists():
            _new_key(algorithm)
    audit.record(caller, "iam:EnableOutboundWebIdentityFederation", resource_type="account",
                 resource_name="outbound-web-identity-federation",
                 old={"JwtVendingEnabled": False},
                 new={"JwtVendingEnabled": True, "IssuerIdentifier": issuer()})
    return FederationInfo(issuer(), True)


@operation
def disable(caller: Caller) -> None:
    authz.check(caller, "iam:DisableOutboundWebIdentityFederation", "*")
    row = _row()
    if row is None or not row.enabled:
        raise FeatureDisabled("Outbound web identity federation is already disabled for this "
                              "account.")
    row.enabled = False
    row.save(update_fields=["enabled"])
    audit.record(caller, "iam:DisableOutboundWebIdentityFederation", resource_type="account",
                 resource_name="outbound-web-identity-federation",
                 old={"JwtVendingEnabled": True}, new={"JwtVendingEnabled": False})


def get_info(caller: Caller) -> FederationInfo:
    authz.check(caller, "iam:GetOutboundWebIdentityFederationInfo", "*")
    row = _row()
    if row is None:
        raise FeatureDisabled("Outbound web identity federation has never been enabled for "
                              "this account.")
    return FederationInfo(issuer(), row.enabled)


def is_enabled(account_id: str) -> bool:
    return OutboundFederation.everywhere.filter(account_id=account_id, enabled=True).exists()


# --- keys ---------------------------------------------------------------------------------

def _active_keys():
    return OutboundSigningKey.objects.filter(retired_at__isnull=True)


def _new_key(algorithm: str) -> OutboundSigningKey:
    if algorithm == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    else:
        private = ec.generate_private_key(ec.SECP384R1())
        public_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    kid = uuid.uuid4().hex
    public_jwk.update({"kid": kid, "alg": algorithm, "use": "sig"})
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return OutboundSigningKey.objects.create(
        kid=kid, algorithm=algorithm, private_key_encrypted=crypto.encrypt(pem),
        public_jwk=public_jwk)


@operation
def rotate_keys(caller: Caller) -> list[str]:
    """New signing keys for the current account; the old ones retire (still published until
    every token they signed has expired). Returns the new key ids. Governed by
    iam:EnableOutboundWebIdentityFederation (no AWS action rotates these keys)."""
    authz.check(caller, "iam:EnableOutboundWebIdentityFederation", "*")
    now = clock.now()
    retired = list(_active_keys().values_list("kid", flat=True))
    _active_keys().update(retired_at=now,
                          published_until=now + timedelta(seconds=MAX_DURATION + 60))
    new = [_new_key(algorithm).kid for algorithm in ALGORITHMS]
    audit.record(caller, "iam:RotateOutboundWebIdentityFederationKeys", resource_type="account",
                 resource_name="outbound-web-identity-federation",
                 old={"KeyIds": retired}, new={"KeyIds": new})
    return new


def jwks(account_id: str) -> dict:
    """The public keys that verify the account's tokens: active ones and retired ones whose
    tokens may still be valid."""
    keys = OutboundSigningKey.everywhere.filter(account_id=account_id).filter(
        Q(published_until__isnull=True) | Q(published_until__gt=clock.now())).order_by("created_at")
    return {"keys": [key.public_jwk for key in keys]}


def discovery(account_id: str) -> dict:
    base = issuer(account_id)
    return {
        "issuer": base,
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": list(ALGORITHMS),
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nbf", "jti",
                             CLAIMS_NAMESPACE],
    }


# --- tokens -------------------------------------------------------------------------------

def _check_audiences(audience) -> list[str]:
    if not isinstance(audience, list) or not 1 <= len(audience) <= MAX_AUDIENCES:
        raise ValidationError("1 validation error detected: Value at 'audience' failed to "
                              f"satisfy constraint: Member must have length between 1 and "
                              f"{MAX_AUDIENCES}", field="audience")
    for value in audience:
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_AUDIENCE_LENGTH:
            raise ValidationError("1 validation error detected: Value at 'audience' failed to "
                                  "satisfy constraint: Member must satisfy constraint: [Member "
                                  f"must have length between 1 and {MAX_AUDIENCE_LENGTH}]",
                                  field="audience")
    return list(dict.fromkeys(audience))


def get_web_identity_token(caller: Caller, audience, signing_algorithm: str,
                           duration_seconds: int | None = None,
                           tags: list | None = None) -> WebIdentityToken:
    audiences = _check_audiences(audience)
    if signing_algorithm not in ALGORITHMS:
        raise ValidationError(f"1 validation error detected: Value '{signing_algorithm}' at "
                              "'signingAlgorithm' failed to satisfy constraint: Member must "
                              f"satisfy enum value set: [{', '.join(ALGORITHMS)}]",
                              field="signing_algorithm")
    duration = DEFAULT_DURATION if duration_seconds is None else duration_seconds
    if not isinstance(duration, int) or not MIN_DURATION <= duration <= MAX_DURATION:
        raise ValidationError(f"1 validation error detected: Value '{duration}' at "
                              "'durationSeconds' failed to satisfy constraint: Member must have "
                              f"value between {MIN_DURATION} and {MAX_DURATION}",
                              field="duration_seconds")
    request_tags = normalize_tags(tags or [])
    authz.check(caller, "sts:GetWebIdentityToken", "*", {
        "sts:IdentityTokenAudience": audiences,
        "sts:DurationSeconds": str(duration),
        "sts:SigningAlgorithm": signing_algorithm,
    })
    account = caller.account
    if not is_enabled(account):
        raise OutboundWebIdentityFederationDisabledException(
            "Outbound web identity federation is disabled for this account. Enable it with "
            "EnableOutboundWebIdentityFederation.")
    now = clock.now().replace(microsecond=0)
    expires = now + timedelta(seconds=duration)
    if caller.credential is not None and expires > caller.credential.expires_at:
        raise SessionDurationEscalationException(
            "The requested token duration would extend the session beyond its expiration.")
    key = OutboundSigningKey.everywhere.filter(
        account_id=account, algorithm=signing_algorithm, retired_at__isnull=True).first()
    if key is None:
        key = _new_key(signing_algorithm)
    aws_claims = {"aws_account": account, "principal_id": caller.arn,
                  "source_region": caller.region or "us-east-1"}
    if request_tags:
        aws_claims["request_tags"] = dict(request_tags)
    claims = {
        "iss": issuer(account), "sub": caller.arn,
        "aud": audiences[0] if len(audiences) == 1 else audiences,
        "iat": now, "nbf": now, "exp": expires, "jti": str(uuid.uuid4()),
        CLAIMS_NAMESPACE: aws_claims,
    }
    token = jwt.encode(claims, crypto.decrypt(key.private_key_encrypted),
                       algorithm=signing_algorithm, headers={"kid": key.kid, "typ": "JWT"})
    if len(token) > MAX_TOKEN_BYTES:
        raise JWTPayloadSizeExceededException("The token payload is too large: use fewer "
                                              "request tags.")
    audit.record(caller, "sts:GetWebIdentityToken", resource_type="web-identity-token",
                 resource_name=claims["jti"],
                 new={"Audience": audiences, "SigningAlgorithm": signing_algorithm,
                      "DurationSeconds": duration, "KeyId": key.kid, "Subject": caller.arn})
    return WebIdentityToken(token, expires)
