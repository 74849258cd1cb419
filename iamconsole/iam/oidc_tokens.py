"""Verifying an OpenID Connect ID token (a JWT) from a registered identity provider, with PyJWT.

The provider's keys come from `<issuer>/.well-known/openid-configuration` -> `jwks_uri`, fetched
over verified HTTPS only (the system's CAs plus `IAMCONSOLE_OIDC_CA_BUNDLE`), and kept for
`IAMCONSOLE_OIDC_JWKS_TTL` seconds; a token naming a key id not among them fetches them again
(at most once per `IAMCONSOLE_OIDC_JWKS_REFRESH_COOLDOWN` seconds), so a provider's key rotation
is picked up at once. A token is accepted only when:

* its algorithm is one of RS256/RS384/RS512/ES256/ES384 (never `none` nor an HMAC, whatever
  the header says: the algorithm is checked before any key is chosen) and its key is the
  provider's key of that type;
* `iss` is the provider's URL, `aud` (or `azp`) one of the provider's client ids;
* `exp` is in the future, `nbf` and `iat` not (within `LEEWAY` seconds), and `sub` is present.

Failures carry AWS STS's codes (InvalidIdentityToken, ExpiredTokenException,
IDPCommunicationError). Used by AssumeRoleWithWebIdentity (`iam.web_identity`) and reusable by
any sign-in that accepts ID tokens of a registered provider.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import jwt
from django.conf import settings

from .errors import client_error

ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384")
LEEWAY = 30  # seconds of clock skew allowed on exp / nbf / iat
FETCH_TIMEOUT = 5  # seconds
MAX_DOCUMENT = 1024 * 1024  # bytes of a discovery document or key set

InvalidIdentityToken = client_error("InvalidIdentityToken")
ExpiredTokenException = client_error("ExpiredTokenException")
IDPCommunicationError = client_error("IDPCommunicationError")
IDPRejectedClaim = client_error("IDPRejectedClaim", 403)


# --------------------------------------------------------------------------- fetching keys


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.lower().startswith("https://"):
            raise urllib.error.URLError(f"redirected to a URL that is not https: {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    bundle = getattr(settings, "IAMCONSOLE_OIDC_CA_BUNDLE", "")
    if bundle:
        context.load_verify_locations(cafile=bundle)
    return context


def _fetch_json(url: str) -> Any:
    if not url.lower().startswith("https://"):
        raise IDPCommunicationError(f"The identity provider's URL is not https: {url}")
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=_ssl_context()),
                                         _HttpsOnlyRedirects())
    request = urllib.request.Request(url, headers={"Accept": "application/json",  # noqa: S310
                                                   "User-Agent": "iamconsole-sts"})
    try:
        with opener.open(request, timeout=FETCH_TIMEOUT) as response:
            body = response.read(MAX_DOCUMENT + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise IDPCommunicationError(
            f"Couldn't retrieve verification key from your identity provider, please reference "
            f"AssumeRoleWithWebIdentity documentation for requirements ({url}: {exc})") from None
    if len(body) > MAX_DOCUMENT:
        raise IDPCommunicationError(f"The identity provider's answer at {url} is too large.")
    try:
        return json.loads(body)
    except ValueError:
        raise IDPCommunicationError(f"The identity provider's answer at {url} is not JSON.") \
            from None


@dataclass
class _KeySet:
    fetched_at: float
    keys: list[tuple[dict, jwt.PyJWK]] = field(default_factory=list)  # (JWK, parsed)


_cache: dict[str, _KeySet] = {}
_lock = threading.Lock()


def discovery(issuer: str) -> dict[str, Any]:
    """The issuer's discovery document (`/.well-known/openid-configuration`), fetched over
    verified HTTPS; IDPCommunicationError when it is unreachable or names another issuer."""
    configuration = _fetch_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if not isinstance(configuration, dict):
        raise IDPCommunicationError(f"The discovery document of {issuer} is no JSON object.")
    if configuration.get("issuer") not in (None, issuer, issuer.rstrip("/")):
        raise IDPCommunicationError(f"The discovery document of {issuer} names another "
                                    f"issuer: {configuration.get('issuer')}")
    return configuration


def ca_bundle() -> str | bool:
    """For HTTP clients (`verify=`): IAMCONSOLE_OIDC_CA_BUNDLE when set, else the system's."""
    return getattr(settings, "IAMCONSOLE_OIDC_CA_BUNDLE", "") or True


def _discover_keys(issuer: str) -> _KeySet:
    """The issuer's signing keys, read from its discovery document's jwks_uri."""
    configuration = _fetch_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if not isinstance(configuration, dict) or not isinstance(configuration.get("jwks_uri"), str):
        raise IDPCommunicationError(f"The discovery document of {issuer} names no jwks_uri.")
    if configuration.get("issuer") not in (None, issuer, issuer.rstrip("/")):
        raise IDPCommunicationError(f"The discovery document of {issuer} names another "
                                    f"issuer: {configuration.get('issuer')}")
    document = _fetch_json(configuration["jwks_uri"])
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise IDPCommunicationError(f"The key set of {issuer} has no keys.")
    keys = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        try:
            keys.append((entry, jwt.PyJWK(entry)))
        except jwt.PyJWTError:
            continue  # a key of a type or curve not supported: not one we may verify with
    return _KeySet(time.monotonic(), keys)


def _key_set(issuer: str, refresh: bool = False) -> _KeySet:
    now = time.monotonic()
    with _lock:
        cached = _cache.get(issuer)
    ttl = getattr(settings, "IAMCONSOLE_OIDC_JWKS_TTL", 300)
    cooldown = getattr(settings, "IAMCONSOLE_OIDC_JWKS_REFRESH_COOLDOWN", 10)
    if cached is not None and now - cached.fetched_at < ttl and not (
            refresh and now - cached.fetched_at >= cooldown):
        return cached
    fresh = _discover_keys(issuer)
    with _lock:
        _cache[issuer] = fresh
    return fresh


def forget_keys() -> None:
    """Drop every cached key set (tests, and an administrator's "refresh now")."""
    with _lock:
        _cache.clear()


_CURVES = {"ES256": "P-256", "ES384": "P-384"}


def _pick(keys: list[tuple[dict, jwt.PyJWK]], kid: str | None, algorithm: str) -> Any:
    """The public key (a `cryptography` key) for `kid` and `algorithm`: of the algorithm's
    type (and curve), and of that algorithm when the JWK names one."""
    family = "RSA" if algorithm.startswith("RS") else "EC"
    usable = [(entry, key) for entry, key in keys
              if entry.get("kty") == family and entry.get("alg") in (None, algorithm)
              and (family == "RSA" or entry.get("crv") == _CURVES[algorithm])]
    if kid is not None:
        usable = [(entry, key) for entry, key in usable if entry.get("kid") == kid]
    return usable[0][1].key if len(usable) == 1 else None


def signing_key(issuer: str, kid: str | None, algorithm: str) -> Any:
    """The issuer's key `kid` for `algorithm`, fetching the key set again when it is not
    among the cached keys (a rotation). InvalidIdentityToken when it has no such key."""
    key = _pick(_key_set(issuer).keys, kid, algorithm)
    if key is None:
        key = _pick(_key_set(issuer, refresh=True).keys, kid, algorithm)
    if key is None:
        raise InvalidIdentityToken("No matching key found in the identity provider's key set "
                                   f"for the token's key id {kid!r} and algorithm {algorithm}.")
    return key


# --------------------------------------------------------------------------- tokens


def unverified_issuer(token: str) -> str:
    """The token's `iss` before its signature is checked: which provider to verify it with.
    InvalidIdentityToken when it is no JWT."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise InvalidIdentityToken("The ID Token provided is not a valid JWT. (You may see this "
                                   "error if you sent an Access Token)") from None
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise InvalidIdentityToken("The ID Token has no issuer (iss).")
    return issuer


def audience_of(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    return [a for a in aud if isinstance(a, str)] if isinstance(aud, list) else []


def verify_id_token(token: str, issuer: str, client_ids: list[str]) -> dict[str, Any]:
    """The token's claims once its signature (by `issuer`'s key), issuer, audience and times
    are verified; raises InvalidIdentityToken / ExpiredTokenException / IDPCommunicationError.
    The accepted audience is `azp` when the token has one, else one of `aud`."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidIdentityToken("The ID Token provided is not a valid JWT.") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise InvalidIdentityToken(f"The token's signing algorithm {algorithm!r} is not "
                                   f"accepted (accepted: {', '.join(ALGORITHMS)}).")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise InvalidIdentityToken("The token's key id (kid) is not a string.")
    key = signing_key(issuer, kid, algorithm)
    try:
        claims = jwt.decode(token, key, algorithms=[algorithm], issuer=issuer, leeway=LEEWAY,
                            options={"require": ["iss", "sub", "exp", "aud"],
                                     "verify_aud": False})
    except jwt.ExpiredSignatureError:
        raise ExpiredTokenException("Token expired: current date/time must be before the "
                                    "expiration date/time.") from None
    except jwt.ImmatureSignatureError:
        raise InvalidIdentityToken("The token is not yet valid (nbf or iat is in the future)."
                                   ) from None
    except jwt.InvalidIssuerError:
        raise InvalidIdentityToken(f"The token's issuer is not {issuer}.") from None
    except jwt.InvalidSignatureError:
        raise InvalidIdentityToken("The token's signature does not verify with the identity "
                                   "provider's key.") from None
    except jwt.PyJWTError as exc:
        raise InvalidIdentityToken(f"The ID Token is not valid: {exc}") from None
    iat = claims.get("iat")
    if isinstance(iat, (int, float)) and iat > time.time() + LEEWAY:
        raise InvalidIdentityToken("The token is not yet valid (iat is in the future).")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise InvalidIdentityToken("The token has no subject (sub).")
    azp = claims.get("azp")
    accepted = [azp] if isinstance(azp, str) and azp else audience_of(claims)
    if not any(a in client_ids for a in accepted):
        raise InvalidIdentityToken("Incorrect token audience")
    return claims
