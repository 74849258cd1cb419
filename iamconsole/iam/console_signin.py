"""Console sign-in through an external OpenID Connect identity provider (issue #17).

An administrator registers the console as an OAuth 2.0 client of an OIDC provider of the
account (`put_console_sign_in`: client id, client secret — encrypted at rest with iam.crypto —,
display name, enabled; authorized as `iam:UpdateOpenIDConnectProviderThumbprint` on the
provider, the IAM action that changes how the provider's tokens are trusted). The sign-in page
then offers "Sign in with <display name>":

1. `begin` — the authorization request (authorization code flow, PKCE S256, `state`, `nonce`),
   built with Authlib's OAuth2 client from the provider's discovery document;
2. `complete` — the code exchanged for tokens at the token endpoint (client secret, PKCE
   verifier; verified HTTPS with IAMCONSOLE_OIDC_CA_BUNDLE), the ID token verified by
   `oidc_tokens` (issuer, audience = the client id, signature, expiry) and its nonce checked;
3. `roles_for` — the roles whose trust policies let the token's holder assume them
   (`web_identity.roles_token_may_assume`: Principal.Federated = the provider's ARN, with the
   provider's condition keys); none is a refusal, several a choice;
4. `sign_in` — AssumeRoleWithWebIdentity for the chosen role, for the role's
   MaxSessionDuration, session name = the token's subject (audited with the subject).

The console session then acts as that role session (accounts.session.federated_session).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from . import audit, authz, clock, crypto, oidc_tokens, sts, web_identity
from .caller import Caller
from .errors import InvalidInput, NoSuchEntity
from .models import ConsoleSignInClient, OpenIDConnectProvider, Role
from .oidc_tokens import IDPCommunicationError, InvalidIdentityToken
from .services.oidc_providers import find_open_id_connect_provider

MANAGE_ACTION = "iam:UpdateOpenIDConnectProviderThumbprint"
SCOPE = "openid"
DISPLAY_NAME_MAX = 64


# --------------------------------------------------------------------------- configuration


def console_sign_in_of(provider: OpenIDConnectProvider) -> ConsoleSignInClient | None:
    return ConsoleSignInClient.everywhere.filter(provider=provider).first()


def put_console_sign_in(caller: Caller, provider_arn: str, *, client_id: str,
                        client_secret: str | None, display_name: str,
                        enabled: bool) -> ConsoleSignInClient:
    """Create or change the provider's console sign-in client. An empty / None secret keeps
    the stored one (the secret is never shown again)."""
    provider = find_open_id_connect_provider(provider_arn)
    authz.check(caller, MANAGE_ACTION, provider.arn)
    client_id = (client_id or "").strip()
    display_name = (display_name or "").strip()
    if not client_id or len(client_id) > 255:
        raise InvalidInput("The client id must be 1 to 255 characters.", field="client_id")
    if not display_name or len(display_name) > DISPLAY_NAME_MAX:
        raise InvalidInput(f"The display name must be 1 to {DISPLAY_NAME_MAX} characters.",
                           field="display_name")
    if client_id not in provider.client_ids:
        raise InvalidInput(f"Add {client_id} to the provider's audiences (client ids) first: "
                           "its ID tokens are accepted only for those.", field="client_id")
    current = console_sign_in_of(provider)
    old = _summary(current) if current else None
    if current is None:
        current = ConsoleSignInClient(provider=provider, account_id=provider.account_id)
    current.client_id = client_id
    current.display_name = display_name
    current.enabled = bool(enabled)
    if client_secret:
        current.client_secret_encrypted = crypto.encrypt(client_secret)
    if not current.client_secret_encrypted:
        raise InvalidInput("A client secret is required.", field="client_secret")
    current.updated_at = clock.now()
    current.save()
    audit.record(caller, "iamconsole:PutConsoleSignIn", resource_type="oidc_provider",
                 resource_name=provider.name, resource_arn=provider.arn, old=old,
                 new=_summary(current))
    return current


def delete_console_sign_in(caller: Caller, provider_arn: str) -> None:
    provider = find_open_id_connect_provider(provider_arn)
    authz.check(caller, MANAGE_ACTION, provider.arn)
    current = console_sign_in_of(provider)
    if current is None:
        raise NoSuchEntity("The provider offers no console sign-in.")
    old = _summary(current)
    current.delete()
    audit.record(caller, "iamconsole:DeleteConsoleSignIn", resource_type="oidc_provider",
                 resource_name=provider.name, resource_arn=provider.arn, old=old)


def _summary(client: ConsoleSignInClient) -> dict[str, Any]:
    return {"ClientId": client.client_id, "DisplayName": client.display_name,
            "Enabled": client.enabled}  # never the secret


def enabled_clients(account_id: str) -> list[ConsoleSignInClient]:
    return list(ConsoleSignInClient.everywhere.select_related("provider")
                .filter(account_id=account_id, enabled=True).order_by("display_name"))


def enabled_client(pk: int) -> ConsoleSignInClient | None:
    return ConsoleSignInClient.everywhere.select_related("provider").filter(
        pk=pk, enabled=True).first()


# --------------------------------------------------------------------------- the code flow


@dataclass
class Pending:
    """What the console session keeps between the redirect to the provider and the callback."""

    client_pk: int
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _oauth(client: ConsoleSignInClient, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(client.client_id, crypto.decrypt(client.client_secret_encrypted),
                         scope=SCOPE, redirect_uri=redirect_uri,
                         code_challenge_method="S256",
                         token_endpoint_auth_method="client_secret_basic")


def begin(client: ConsoleSignInClient, redirect_uri: str) -> tuple[str, Pending]:
    """The provider's authorization URL to send the browser to, and what to keep."""
    configuration = oidc_tokens.discovery(client.provider.url)
    endpoint = configuration.get("authorization_endpoint")
    if not isinstance(endpoint, str) or not endpoint.startswith("https://"):
        raise IDPCommunicationError("The provider's discovery document names no https "
                                    "authorization endpoint.")
    verifier = generate_token(48)
    nonce = generate_token(32)
    with _oauth(client, redirect_uri) as session:
        url, state = session.create_authorization_url(
            endpoint, code_verifier=verifier, nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier))
    return url, Pending(client.pk, state, nonce, verifier, redirect_uri)


@dataclass
class Authenticated:
    client: ConsoleSignInClient
    id_token: str
    claims: dict[str, Any]

    @property
    def subject(self) -> str:
        return self.claims["sub"]

    @property
    def session_name(self) -> str:
        return session_name_for(self.subject)


def session_name_for(subject: str) -> str:
    """A RoleSessionName from the subject: [\\w+=,.@-], 2..64 characters."""
    name = re.sub(r"[^\w+=,.@-]", "-", subject)[:64]
    return name if len(name) >= 2 else (name + "--")[:2]


def complete(pending: Pending, state: str, code: str) -> Authenticated:
    """The callback: state checked, code exchanged (PKCE verifier, client secret), ID token
    verified and its nonce checked. InvalidIdentityToken / IDPCommunicationError otherwise."""
    client = enabled_client(pending.client_pk)
    if client is None:
        raise InvalidIdentityToken("This sign-in is no longer offered.")
    if not state or not crypto.constant_time_equals(state, pending.state):
        raise InvalidIdentityToken("The sign-in answer does not belong to this session "
                                   "(state mismatch).")
    if not code:
        raise InvalidIdentityToken("The identity provider sent no authorization code.")
    configuration = oidc_tokens.discovery(client.provider.url)
    endpoint = configuration.get("token_endpoint")
    if not isinstance(endpoint, str) or not endpoint.startswith("https://"):
        raise IDPCommunicationError("The provider's discovery document names no https "
                                    "token endpoint.")
    try:
        with _oauth(client, pending.redirect_uri) as session:
            token = session.fetch_token(endpoint, grant_type="authorization_code", code=code,
                                        code_verifier=pending.code_verifier,
                                        verify=oidc_tokens.ca_bundle(), timeout=10)
    except Exception as exc:  # Authlib's OAuthError, requests' errors: the provider refused
        raise IDPCommunicationError(f"The identity provider refused the code: {exc}") from None
    id_token = token.get("id_token") if isinstance(token, dict) else None
    if not isinstance(id_token, str):
        raise InvalidIdentityToken("The identity provider returned no ID token.")
    if client.client_id not in client.provider.client_ids:
        raise InvalidIdentityToken(f"The client id {client.client_id} is no longer an audience "
                                   "of the provider.")
    claims = oidc_tokens.verify_id_token(id_token, client.provider.url, [client.client_id])
    if not crypto.constant_time_equals(str(claims.get("nonce", "")), pending.nonce):
        raise InvalidIdentityToken("The ID token's nonce is not this sign-in's.")
    return Authenticated(client, id_token, claims)


def roles_for(signed_in: Authenticated) -> list[Role]:
    return web_identity.roles_token_may_assume(signed_in.client.provider, signed_in.claims,
                                               signed_in.session_name)


def sign_in(client: ConsoleSignInClient, id_token: str, role_arn: str,
            source_ip: str | None = None) -> web_identity.WebIdentitySession:
    """AssumeRoleWithWebIdentity for the chosen role, for the role's MaxSessionDuration."""
    role = sts.find_role_by_arn(role_arn)
    if role is None or role.account_id != client.account_id:
        raise NoSuchEntity("No such role.")
    claims = oidc_tokens.verify_id_token(id_token, client.provider.url, [client.client_id])
    caller = web_identity.anonymous_caller(source_ip)
    caller.auth_method = "console"
    return web_identity.assume_role_with_web_identity(
        role.arn, session_name_for(claims["sub"]), id_token,
        duration_seconds=role.max_session_duration, caller=caller)
