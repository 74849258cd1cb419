"""STS Query API actions: {OperationName: handler(caller, params) -> result dict}.

Each handler calls one operation of `iamconsole.iam.sts` and shapes its result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iamconsole.iam import outbound_federation, saml_federation, sts, web_identity
from iamconsole.iam.caller import Caller
from iamconsole.orgs import root_access

from . import shapes

Handler = Callable[[Caller, dict[str, Any]], dict[str, Any] | None]


def get_caller_identity(caller, p):
    who = sts.get_caller_identity(caller)
    return {"UserId": who.user_id, "Account": who.account, "Arn": who.arn}


def assume_role(caller, p):
    assumed = sts.assume_role(
        caller, p["RoleArn"], p["RoleSessionName"],
        duration_seconds=p.get("DurationSeconds"), policy=p.get("Policy"),
        policy_arns=p.get("PolicyArns"), tags=p.get("Tags"),
        transitive_tag_keys=p.get("TransitiveTagKeys"), external_id=p.get("ExternalId"),
        serial_number=p.get("SerialNumber"), token_code=p.get("TokenCode"),
        source_identity=p.get("SourceIdentity"),
    )
    return {
        "Credentials": shapes.credentials_shape(assumed.credentials),
        "AssumedRoleUser": {"AssumedRoleId": assumed.assumed_role_id, "Arn": assumed.arn},
        "PackedPolicySize": assumed.packed_policy_size,
        "SourceIdentity": assumed.source_identity or None,
    }


def assume_role_with_web_identity(caller, p):
    session = web_identity.assume_role_with_web_identity(
        p["RoleArn"], p["RoleSessionName"], p["WebIdentityToken"],
        provider_id=p.get("ProviderId"), policy=p.get("Policy"), policy_arns=p.get("PolicyArns"),
        duration_seconds=p.get("DurationSeconds"),
        caller=web_identity.anonymous_caller(caller.source_ip, caller.request_id))
    assumed = session.assumed
    return {
        "Credentials": shapes.credentials_shape(assumed.credentials),
        "SubjectFromWebIdentityToken": session.subject,
        "AssumedRoleUser": {"AssumedRoleId": assumed.assumed_role_id, "Arn": assumed.arn},
        "PackedPolicySize": assumed.packed_policy_size,
        "Provider": session.provider,
        "Audience": session.audience,
        "SourceIdentity": assumed.source_identity or None,
    }


def assume_role_with_saml(caller, p):
    session = saml_federation.assume_role_with_saml(
        p["RoleArn"], p["PrincipalArn"], p["SAMLAssertion"], policy=p.get("Policy"),
        policy_arns=p.get("PolicyArns"), duration_seconds=p.get("DurationSeconds"),
        caller=web_identity.anonymous_caller(caller.source_ip, caller.request_id))
    assumed = session.assumed
    return {
        "Credentials": shapes.credentials_shape(assumed.credentials),
        "AssumedRoleUser": {"AssumedRoleId": assumed.assumed_role_id, "Arn": assumed.arn},
        "PackedPolicySize": assumed.packed_policy_size,
        "Subject": session.subject, "SubjectType": session.subject_type,
        "Issuer": session.issuer, "Audience": session.audience,
        "NameQualifier": session.name_qualifier,
        "SourceIdentity": assumed.source_identity or None,
    }


def get_session_token(caller, p):
    issued = sts.get_session_token(caller, duration_seconds=p.get("DurationSeconds"),
                                   serial_number=p.get("SerialNumber"),
                                   token_code=p.get("TokenCode"))
    return {"Credentials": shapes.credentials_shape(issued)}


def get_federation_token(caller, p):
    session = sts.get_federation_token(
        caller, p["Name"], duration_seconds=p.get("DurationSeconds"), policy=p.get("Policy"),
        policy_arns=p.get("PolicyArns"), tags=p.get("Tags"))
    return {
        "Credentials": shapes.credentials_shape(session.credentials),
        "FederatedUser": {"FederatedUserId": session.federated_user_id, "Arn": session.arn},
        "PackedPolicySize": session.packed_policy_size,
    }


def get_access_key_info(caller, p):
    return {"Account": sts.get_access_key_info(caller, p["AccessKeyId"])}


def decode_authorization_message(caller, p):
    return {"DecodedMessage": sts.decode_authorization_message(caller, p["EncodedMessage"])}


def assume_root(caller, p):
    session = root_access.assume_root(caller, p["TargetPrincipal"], p["TaskPolicyArn"],
                                      p.get("DurationSeconds"))
    return {"Credentials": shapes.credentials_shape(session.credentials),
            "SourceIdentity": session.source_identity or None}


# Operations AWS answers unsigned (the token in the request is the proof): the views call
# their handlers with an anonymous caller when the request carries no signature.
UNSIGNED = frozenset({"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"})

ACTIONS: dict[str, Handler] = {
    "GetCallerIdentity": get_caller_identity,
    "AssumeRole": assume_role,
    "AssumeRoleWithWebIdentity": assume_role_with_web_identity,
    "AssumeRoleWithSAML": assume_role_with_saml,
    "GetSessionToken": get_session_token,
    "GetFederationToken": get_federation_token,
    "GetAccessKeyInfo": get_access_key_info,
    "DecodeAuthorizationMessage": decode_authorization_message,
    "AssumeRoot": assume_root,
}


def get_web_identity_token(caller, p):
    issued = outbound_federation.get_web_identity_token(
        caller, p["Audience"], p["SigningAlgorithm"], p.get("DurationSeconds"), p.get("Tags"))
    return {"WebIdentityToken": issued.token, "Expiration": issued.expiration}


ACTIONS["GetWebIdentityToken"] = get_web_identity_token
