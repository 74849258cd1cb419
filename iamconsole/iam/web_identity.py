"""STS AssumeRoleWithWebIdentity: temporary credentials of a role for the holder of an ID token
of an OIDC provider registered in the role's account (CreateOpenIDConnectProvider).

The request needs no AWS credentials (AWS accepts it unsigned; the aws CLI and boto3's
web-identity credential provider send it so): the token is the proof. Steps, in AWS's order:
the role (AccessDenied when there is none), the provider of the token's `iss` in the role's
account (InvalidIdentityToken when there is none), the token verified by `oidc_tokens` (keys of
the provider over HTTPS, audience among its client ids), then the role's trust policy, which
must allow `sts:AssumeRoleWithWebIdentity` for `Principal.Federated` = the provider's ARN, with
these condition keys (`<p>` is the provider's URL without https://):

* `<p>:sub`, `<p>:aud` (the `azp` when the token has one, else its `aud`), `<p>:oaud` (the other
  audiences, with `azp`), `<p>:amr`; `aws:FederatedProvider` (the provider's ARN);
* for GitHub Actions' issuer (token.actions.githubusercontent.com) also `<p>:<claim>` for the
  claims GitHub documents (actor, repository, repository_owner, ref, job_workflow_ref, ...);
* `sts:RoleSessionName`, `sts:SourceIdentity`, and with session tags `aws:RequestTag/<k>`,
  `aws:TagKeys`, `sts:TransitiveTagKeys` (sts:TagSession must be allowed too; with a source
  identity sts:SetSourceIdentity).

Session tags come from the claim `https://aws.amazon.com/tags` ({"principal_tags": {k: [v]},
"transitive_tag_keys": [k]}), the source identity from `https://aws.amazon.com/source_identity`.
The session is an assumed-role session (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`),
issued by the same machinery as AssumeRole (`iam.sts`), DurationSeconds 900..the role's
MaxSessionDuration, narrowed by Policy / PolicyArns. Every outcome is audited in the role's
account, the actor being the token's subject at its provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iamconsole.policy import compile_policy
from iamconsole.policy.evaluate import Request, evaluate

from . import audit, oidc_tokens, sts, tenancy
from .caller import Caller
from .errors import AccessDenied, IAMError, ValidationError
from .models import OpenIDConnectProvider, Role
from .oidc_tokens import IDPRejectedClaim, InvalidIdentityToken
from .services._common import normalize_tags
from .services.oidc_providers import provider_key

ACTION = "sts:AssumeRoleWithWebIdentity"
TAGS_CLAIM = "https://aws.amazon.com/tags"
SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity"
GITHUB = "token.actions.githubusercontent.com"
# The claims of a GitHub Actions ID token that trust policies may test as `<p>:<claim>`.
GITHUB_CLAIMS = ("actor", "actor_id", "repository", "repository_id", "repository_owner",
                 "repository_owner_id", "repository_visibility", "ref", "ref_type",
                 "environment", "event_name", "workflow", "workflow_ref", "job_workflow_ref",
                 "job_workflow_sha", "runner_environment", "enterprise", "enterprise_id",
                 "head_ref", "base_ref", "run_id", "run_number", "run_attempt", "sha",
                 "context")
# The providers (by URL without https://) whose tokens' documented claims trust policies may
# test as `<p>:<claim>`, besides sub/aud/oaud/amr.
CLAIM_KEYS: dict[str, tuple[str, ...]] = {GITHUB: GITHUB_CLAIMS}


@dataclass
class FederatedCaller(Caller):
    """Who calls AssumeRoleWithWebIdentity: an unsigned request, then the token's subject at
    its provider. Never a system caller: it has no permissions of its own."""

    provider_arn: str = ""
    subject: str = ""

    @property
    def is_system(self) -> bool:
        return False

    @property
    def is_root(self) -> bool:
        return False

    @property
    def arn(self) -> str:
        return self.provider_arn

    @property
    def display_name(self) -> str:
        return self.subject or "[anonymous web identity]"


def anonymous_caller(source_ip: str | None = None, request_id: str | None = None
                     ) -> FederatedCaller:
    caller = FederatedCaller(auth_method="web_identity", source_ip=source_ip)
    if request_id:
        caller.request_id = request_id
    return caller


@dataclass
class WebIdentitySession:
    assumed: sts.AssumedRole
    subject: str
    audience: str
    provider: str  # the token's issuer
    claims: dict[str, Any]

    @property
    def credentials(self) -> sts.SessionCredentials:
        return self.assumed.credentials


def _denied(caller: Caller, role_arn: str, detail: str) -> AccessDenied:
    audit.record(caller, ACTION, resource_type="role", resource_arn=role_arn,
                 resource_name=role_arn.rsplit("/", 1)[-1], outcome="denied", detail=detail)
    return AccessDenied(f"Not authorized to perform {ACTION}", action=ACTION, resource=role_arn)


def _session_tags(claims: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    claim = claims.get(TAGS_CLAIM)
    if claim is None:
        return {}, []
    if not isinstance(claim, dict):
        raise InvalidIdentityToken(f"The claim {TAGS_CLAIM} must be an object.")
    raw = claim.get("principal_tags") or {}
    if not isinstance(raw, dict):
        raise InvalidIdentityToken("principal_tags must map tag keys to lists of one value.")
    tags = {}
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        if len(values) != 1 or not isinstance(values[0], str):
            raise InvalidIdentityToken(f"The session tag {key} must have exactly one value.")
        tags[key] = values[0]
    try:
        tags = normalize_tags(tags)
    except ValidationError as exc:
        raise InvalidIdentityToken(f"Invalid session tags in the token: {exc.message}") \
            from None
    transitive = claim.get("transitive_tag_keys") or []
    if not isinstance(transitive, list) or not all(isinstance(k, str) for k in transitive):
        raise InvalidIdentityToken("transitive_tag_keys must be a list of tag keys.")
    lowered = {k.lower() for k in tags}
    if any(k.lower() not in lowered for k in transitive):
        raise InvalidIdentityToken("Each transitive tag key must be a session tag.")
    return tags, transitive


def _context(provider: OpenIDConnectProvider, claims: dict[str, Any], audience: str,
             session_name: str, source_identity: str, tags: dict[str, str],
             transitive: list[str]) -> dict[str, Any]:
    key = provider.name
    context: dict[str, Any] = {
        f"{key}:sub": claims["sub"], f"{key}:aud": audience,
        "aws:FederatedProvider": provider.arn,
        "sts:RoleSessionName": session_name,
    }
    if claims.get("azp"):
        context[f"{key}:oaud"] = oidc_tokens.audience_of(claims)
    amr = claims.get("amr")
    if isinstance(amr, (str, list)):
        context[f"{key}:amr"] = amr
    for claim in CLAIM_KEYS.get(key, ()):
        if isinstance(claims.get(claim), (str, int)):
            context[f"{key}:{claim}"] = str(claims[claim])
    if source_identity:
        context["sts:SourceIdentity"] = source_identity
    if tags:
        context["aws:TagKeys"] = list(tags)
        context.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
        if transitive:
            context["sts:TransitiveTagKeys"] = list(transitive)
    return context


def trust_refusal(role: Role, provider: OpenIDConnectProvider, context: dict[str, Any],
                  actions: list[str] | None = None) -> str:
    """Why the role's trust policy refuses the token's holder (`"<action>: <decision>"`), or ""
    when it allows each of `actions` (sts:AssumeRoleWithWebIdentity by default) for
    Principal.Federated = the provider's ARN with the request `context` (see `_context`)."""
    trust = compile_policy(role.assume_role_policy_document, policy_id="AssumeRolePolicy",
                           policy_type="resource", kind="trust",
                           version_id=f"trust:{role.role_id}:{role.revision}")
    for action in actions or [ACTION]:
        decision = evaluate(Request(action, role.arn, context, principal_arn=provider.arn,
                                    principal_account=role.account_id), [],
                            resource_policy=trust)
        if not decision.allowed:
            return f"{action}: {decision.decision}"
    return ""


def token_audience(provider: OpenIDConnectProvider, claims: dict[str, Any]) -> str:
    """The `<p>:aud` of verified claims: the `azp` when there is one, else the audience that is
    one of the provider's client ids."""
    azp = claims.get("azp")
    return azp if isinstance(azp, str) and azp else next(
        (a for a in oidc_tokens.audience_of(claims) if a in provider.client_ids), "")


def roles_token_may_assume(provider: OpenIDConnectProvider, claims: dict[str, Any],
                           session_name: str) -> list[Role]:
    """The roles of the provider's account whose trust policies let the holder of these
    verified ID token claims call AssumeRoleWithWebIdentity with `session_name` (the console's
    federated sign-in offers them; the call itself checks again). Tokens with session tags or a
    source identity are judged on sts:AssumeRoleWithWebIdentity alone here."""
    context = _context(provider, claims, token_audience(provider, claims), session_name,
                       "", {}, [])
    roles = Role.everywhere.filter(account_id=provider.account_id).order_by("name")
    return [role for role in roles if not trust_refusal(role, provider, context)]


def _provider(role: Role, issuer: str) -> OpenIDConnectProvider:
    try:
        key = provider_key(issuer)
    except IAMError:  # an issuer that is no https URL names no provider
        key = None
    provider = OpenIDConnectProvider.everywhere.filter(
        account_id=role.account_id, name__ci=key).first() if key else None
    if provider is None:
        raise InvalidIdentityToken(
            f"No OpenIDConnect provider found in your account for {issuer}")
    return provider


def assume_role_with_web_identity(
    role_arn: str,
    role_session_name: str,
    web_identity_token: str,
    *,
    provider_id: str | None = None,
    policy: str | None = None,
    policy_arns: list | None = None,
    duration_seconds: int | None = None,
    caller: FederatedCaller | None = None,
) -> WebIdentitySession:
    """AssumeRoleWithWebIdentity (see the module's docstring). `caller` carries the request's
    source address and id (an anonymous one when None); it is given the token's subject."""
    caller = caller or anonymous_caller()
    if not isinstance(role_session_name, str) or not sts._SESSION_NAME.match(role_session_name):
        raise ValidationError(
            f"Value '{role_session_name}' at 'roleSessionName' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: [\w+=,.@-]* and have length "
            "between 2 and 64", field="role_session_name")
    if provider_id:
        raise ValidationError("ProviderId is for OAuth 2.0 access tokens of Login with Amazon "
                              "and Facebook, which iamconsole does not accept; send an OpenID "
                              "Connect ID token without ProviderId.", field="provider_id")
    role = sts.find_role_by_arn(role_arn)
    if role is None:
        raise _denied(caller, role_arn, "no such role")
    with tenancy.acting_in(role.account_id):
        return _assume(caller, role, role_session_name, web_identity_token, policy,
                       policy_arns, duration_seconds)


def _assume(caller: FederatedCaller, role: Role, session_name: str, token: str,
            policy: str | None, policy_arns: list | None,
            duration_seconds: int | None) -> WebIdentitySession:
    duration = sts._duration(
        duration_seconds, sts.ASSUME_ROLE_DEFAULT, sts.ASSUME_ROLE_MIN, role.max_session_duration,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    try:
        issuer = oidc_tokens.unverified_issuer(token)
        provider = _provider(role, issuer)
        caller.provider_arn = provider.arn
        if issuer.rstrip("/") != provider.url:
            raise InvalidIdentityToken(f"The token's issuer {issuer} is not {provider.url}.")
        claims = oidc_tokens.verify_id_token(token, issuer, list(provider.client_ids))
    except (InvalidIdentityToken, oidc_tokens.ExpiredTokenException,
            oidc_tokens.IDPCommunicationError) as exc:
        audit.record(caller, ACTION, resource_type="role", resource_name=role.name,
                     resource_arn=role.arn, outcome="denied", detail=exc.message,
                     error_code=exc.code)
        raise
    caller.subject = claims["sub"]
    audience = token_audience(provider, claims)
    tags, transitive = _session_tags(claims)
    source_identity = claims.get(SOURCE_IDENTITY_CLAIM) or ""
    if not isinstance(source_identity, str) or (
            source_identity and not sts._SESSION_NAME.match(source_identity)):
        raise IDPRejectedClaim("The token's source identity is not a valid SourceIdentity.")
    text, arns_, packed = sts._session_policy(policy, policy_arns, tags)
    context = _context(provider, claims, audience, session_name, source_identity, tags,
                       transitive)
    actions = [ACTION] + (["sts:TagSession"] if tags else []) + (
        ["sts:SetSourceIdentity"] if source_identity else [])
    refusal = trust_refusal(role, provider, context, actions)
    if refusal:
        raise _denied(caller, role.arn, refusal)
    assumed = sts.issue_federated_role_session(
        caller, role, action=ACTION, session_name=session_name, session_policy=text,
        session_policy_arns=arns_, packed=packed, session_tags=tags,
        source_identity=source_identity, duration_seconds=duration,
        details={"Provider": provider.arn, "Subject": claims["sub"], "Audience": audience})
    return WebIdentitySession(assumed, claims["sub"], audience, issuer, claims)
